"""``issue_token``: the one way a token is made (login views, commands, your own code)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction

from drf_hardening.tokens import clock, config, format

if TYPE_CHECKING:
    from drf_hardening.tokens.models import AuthToken

#: ``AuthToken.name``'s length.
NAME_LENGTH = 100


def issue_token(
    user: Any, name: str = "", expires_in: timedelta | float | None = None
) -> tuple[AuthToken, str]:
    """Issue a new token for ``user``; return the row and the token string.

    The string is the only copy of the secret: show it to the client once, never
    store or log it. ``expires_in`` (a ``timedelta`` or seconds) overrides
    ``TOKEN_TTL``. Beyond ``TOKEN_MAX_PER_USER`` live tokens, the user's oldest
    are revoked.
    """
    # Imported here: ``drf_hardening.tokens`` stays importable before the app registry is.
    from drf_hardening.tokens.models import AuthToken

    lifetime = config.ttl() if expires_in is None else _lifetime(expires_in)
    new = format.generate(config.prefix())
    now = clock.now()
    with transaction.atomic():
        token = AuthToken.objects.create(
            user=user,
            public_id=new.public_id,
            digest=new.digest,
            name=name[:NAME_LENGTH],
            created=now,
            expires=None if lifetime is None else now + lifetime,
        )
        _revoke_beyond_limit(user, now)
    return token, new.token


def _lifetime(expires_in: timedelta | float) -> timedelta:
    lifetime = expires_in if isinstance(expires_in, timedelta) else timedelta(seconds=expires_in)
    if isinstance(expires_in, bool) or lifetime <= timedelta(0):
        raise ValueError(f"expires_in must be a positive duration, not {expires_in!r}")
    return lifetime


def _revoke_beyond_limit(user: Any, now: Any) -> None:
    from drf_hardening.tokens.models import AuthToken

    limit = config.max_per_user()
    if limit is None:
        return
    live = AuthToken.objects.active(now).filter(user=user).order_by("-created", "-pk")
    surplus = list(live.values_list("pk", flat=True)[limit:])
    if surplus:
        AuthToken.objects.filter(pk__in=surplus).update(revoked=now)
