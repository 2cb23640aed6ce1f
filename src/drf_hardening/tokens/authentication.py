"""``TokenAuthentication``: DRF's authentication class, for hashed, expiring tokens."""

from __future__ import annotations

import hmac
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from drf_hardening.tokens import clock, config, format, lookup
from drf_hardening.tokens.models import AuthToken


@lru_cache(maxsize=8)
def _schemes(keywords: tuple[str, ...]) -> frozenset[bytes]:
    return frozenset(keyword.lower().encode() for keyword in keywords)


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Token <token>`` or ``Authorization: Bearer <token>``.

    A drop-in for ``rest_framework.authentication.TokenAuthentication``: on
    success ``request.user`` is the token's user and ``request.auth`` its
    ``AuthToken``; a request with another scheme (or none) is left to the next
    class. Unknown, malformed, truncated, expired, idle, revoked tokens and
    tokens of inactive users all raise the same ``AuthenticationFailed``, so a
    client learns nothing from the answer; a malformed token costs no query.
    """

    #: Accepted schemes, compared case-insensitively; the first is the ``WWW-Authenticate``
    #: challenge, as DRF's class sends.
    keywords: tuple[str, ...] = ("Token", "Bearer")
    #: The one message of every refusal (DRF's own wording).
    message = _("Invalid token.")
    #: Where a token is looked up by its public id: one indexed query, its user joined.
    #: Its SQL is compiled once per connection (``drf_hardening.tokens.lookup``); a
    #: subclass may filter it, and one that selects more is run by Django as written.
    queryset = AuthToken.objects.select_related("user")

    def authenticate(self, request: Request) -> tuple[Any, AuthToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in _schemes(self.keywords):
            return None
        if len(parts) != 2:
            raise self.failed()
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise self.failed() from None
        return self.authenticate_credentials(raw)

    def authenticate_credentials(self, raw: str) -> tuple[Any, AuthToken]:
        """The user and token of ``raw``, the credential that followed the scheme."""
        presented = format.parse(raw)
        if presented is None:
            raise self.failed()
        token = self.get_token(presented.lookup_id)
        if token is None:
            raise self.failed()
        now = clock.now()
        if (
            not hmac.compare_digest(token.digest, presented.digest)
            or not token.is_valid(now, config.idle_ttl())
            or not token.user.is_active
        ):
            raise self.failed()
        self.touch(token, now)
        return token.user, token

    def get_token(self, lookup_id: str) -> AuthToken | None:
        """The row of ``queryset`` whose public id is ``lookup_id``, or ``None``."""
        token: AuthToken | None = lookup.get(self.queryset, lookup_id)
        return token

    def touch(self, token: AuthToken, now: Any) -> None:
        """Record the use, at most once per ``TOKEN_LAST_USED_INTERVAL`` (a write costs)."""
        if token.last_used is None or now - token.last_used >= config.last_used_interval():
            AuthToken.objects.filter(pk=token.pk).update(last_used=now)
            token.last_used = now

    def failed(self) -> exceptions.AuthenticationFailed:
        return exceptions.AuthenticationFailed(self.message)

    def authenticate_header(self, request: Request) -> str:
        return self.keywords[0]
