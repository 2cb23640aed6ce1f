"""``LoginRateThrottle``: login attempts, per client IP and per submitted username."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from drf_hardening.conf import conf
from drf_hardening.throttling.throttles import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class LoginRateThrottle(SimpleRateThrottle):
    """Login attempts, counted per client IP and per submitted username.

    The rate is ``DEFAULT_THROTTLE_RATES["login"]`` when set, else
    ``DRF_HARDENING["LOGIN_RATE"]``. The IP limit stops one client trying many
    accounts; the username limit stops many clients (a botnet) trying one
    account, at the cost that they can lock that account's logins for the
    rest of the window. The username is keyed as the login serializer sees it
    (``submitted_username``: a JSON number is the string of its digits), compared
    case-insensitively and hashed before it becomes a key.
    """

    scope = "login"
    #: The request field holding the username; ``None`` means the view's
    #: ``username_field`` attribute, else the user model's ``USERNAME_FIELD``.
    username_field: str | None = None

    def get_rate(self) -> str | None:
        rates: Mapping[str, str | None] = self.THROTTLE_RATES
        if self.scope in rates:
            return rates[self.scope]
        return conf.LOGIN_RATE

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_username(self, request: Request, view: APIView) -> str | None:
        """The submitted username as the login serializer will read it; ``None`` if it has none."""
        data: Any = request.data
        field = (
            self.username_field
            or getattr(view, "username_field", None)
            or get_user_model().USERNAME_FIELD
        )
        return submitted_username(data.get(field) if isinstance(data, Mapping) else None)

    def get_username_cache_key(self, request: Request, view: APIView) -> str | None:
        username = self.get_username(request, view)
        if username is None:
            return None
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
        return self.cache_format % {"scope": f"{self.scope}_username", "ident": digest}

    def allow_request(self, request: Request, view: APIView) -> bool:
        # The client's own limit first: once it is spent, its attempts no longer
        # count against (and so cannot lock) the accounts it is trying.
        if not super().allow_request(request, view):
            return False
        if self.decision is None:  # not throttled, or the store failed open
            return True
        key = self.get_username_cache_key(request, view)
        if key is None:
            return True
        username = _UsernameCount(self, key)
        if username.allow_request(request, view):
            return True
        self.decision = username.decision  # what wait() answers for
        return self.throttle_failure()


def submitted_username(value: object) -> str | None:
    """``value`` as DRF's ``CharField`` turns it into a username, or ``None`` if it refuses it.

    A number becomes ``str(number)`` (``31415926`` logs in as ``"31415926"``, so both
    must share a bucket, or a client sending numbers is never counted); a bool, a
    list, an object or ``null`` is refused by the serializer before any password is
    checked; surrounding whitespace is trimmed (``trim_whitespace``, the default).
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    username = str(value).strip()
    return username or None


class _UsernameCount(SimpleRateThrottle):
    """``LoginRateThrottle``'s second count: its rate, clock and cache, on the username's key."""

    def __init__(self, login: LoginRateThrottle, key: str) -> None:
        self.scope = f"{login.scope}_username"
        self.rate, self.rate_error = login.rate, login.rate_error
        self.num_requests, self.duration = login.num_requests, login.duration
        self.timer = login.timer
        self.cache = login.cache
        self.username_key = key

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.username_key
