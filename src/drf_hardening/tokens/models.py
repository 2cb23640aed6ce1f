"""``AuthToken``: one row per issued token, holding a digest of its secret, never the token."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from drf_hardening.tokens import clock, config, format


def _now() -> datetime:
    return clock.now()  # through the module, so that a test's replacement is used


class AuthTokenQuerySet(models.QuerySet["AuthToken"]):
    def active(self, at: datetime | None = None) -> AuthTokenQuerySet:
        """Tokens that would authenticate at ``at`` (now): not revoked, not expired, not idle."""
        at = at or clock.now()
        live: AuthTokenQuerySet = self.filter(revoked__isnull=True).filter(
            models.Q(expires__isnull=True) | models.Q(expires__gt=at)
        )
        idle = config.idle_ttl()
        if idle is not None:
            live = live.alias(seen=Coalesce("last_used", "created")).filter(seen__gt=at - idle)
        return live

    def revoke_all(self, user: Any) -> int:
        """Revoke every token of ``user`` at once; returns how many were live."""
        count: int = self.filter(user=user, revoked__isnull=True).update(revoked=clock.now())
        return count


class AuthTokenManager(models.Manager["AuthToken"]):
    def get_queryset(self) -> AuthTokenQuerySet:
        return AuthTokenQuerySet(self.model, using=self._db)

    def active(self, at: datetime | None = None) -> AuthTokenQuerySet:
        return self.get_queryset().active(at)

    def revoke_all(self, user: Any) -> int:
        """Revoke every token of ``user`` (log out everywhere); returns how many were live."""
        return self.get_queryset().revoke_all(user)


class AuthToken(models.Model):
    """An API token. The token string is shown once, by ``issue_token``; only its digest stays."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auth_tokens",
        verbose_name=_("user"),
    )
    #: The token's second part: not secret, it finds the row (the primary key, as DRF's
    #: ``Token.key``: no other id column for the hot query to read).
    public_id = models.CharField(_("public id"), max_length=32, primary_key=True, editable=False)
    #: SHA-256 of the secret part, in hex (drf_hardening.tokens.format.digest).
    digest = models.CharField(_("digest"), max_length=64, editable=False)
    name = models.CharField(_("name"), max_length=100, blank=True)
    created = models.DateTimeField(_("created"), default=_now, editable=False)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = AuthTokenManager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ("-created", "-pk")

    def __str__(self) -> str:
        return f"{self.public_id} ({self.name})" if self.name else self.public_id

    @property
    def legacy(self) -> bool:
        """Imported from ``rest_framework.authtoken`` by ``import_drf_tokens``."""
        # Not a column: the lookup id's length tells (each column costs the hot query).
        return len(self.public_id) == format.LEGACY_ID_LENGTH

    def is_valid(self, at: datetime, idle_ttl: timedelta | None) -> bool:
        """Would this token authenticate at ``at``? (Not revoked, expired or idle too long.)"""
        if self.revoked is not None or (self.expires is not None and at >= self.expires):
            return False
        return idle_ttl is None or at - (self.last_used or self.created) < idle_ttl

    def revoke(self) -> None:
        """Revoke this token: it stops authenticating at once. Revoking twice is harmless."""
        if self.revoked is None:
            self.revoked = clock.now()
            type(self).objects.filter(pk=self.pk, revoked__isnull=True).update(revoked=self.revoked)
