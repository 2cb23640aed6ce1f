"""The throttle classes: DRF's API, atomic counting, constant memory, safe identities."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.cache import BaseCache, caches
from rest_framework import status, throttling
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from drf_hardening.client_ip import get_client_ident
from drf_hardening.conf import conf
from drf_hardening.throttling import events
from drf_hardening.throttling.headers import add_ratelimit_headers
from drf_hardening.throttling.rates import parse_rate
from drf_hardening.throttling.stores import Decision, get_store

if TYPE_CHECKING:
    # Not at run time: rest_framework.views reads DEFAULT_THROTTLE_CLASSES when it is
    # imported, which may name this module (a circular import).
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ThrottleStoreUnavailable(APIException):
    """The throttle store failed and ``THROTTLE_FAIL_OPEN`` is ``False``: a 503.

    Not a 429: the client did nothing wrong. ``wait`` makes DRF's exception
    handler (and ours) send ``Retry-After``.
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Request rate limiting is unavailable; try again shortly."
    default_code = "throttle_unavailable"
    wait = 5


class _RatesFromSettings:
    """``THROTTLE_RATES`` read when used, not when the class is defined.

    DRF binds ``api_settings.DEFAULT_THROTTLE_RATES`` to the class at import,
    so ``override_settings`` has no effect on it (encode/django-rest-framework#6030).
    A subclass that assigns its own ``THROTTLE_RATES`` dict still wins.
    """

    def __get__(self, instance: object, owner: type) -> dict[str, str | None]:
        rates: Any = api_settings.DEFAULT_THROTTLE_RATES
        return rates  # type: ignore[no-any-return]


class SimpleRateThrottle(throttling.SimpleRateThrottle):
    """``rest_framework.throttling.SimpleRateThrottle``, counted atomically in one step.

    Same contract: set ``scope`` (or ``rate``), override ``get_cache_key``;
    ``timer`` may be replaced. ``history`` is not kept: each key holds two
    integers, and ``decision`` holds the outcome of the last request.
    """

    THROTTLE_RATES = _RatesFromSettings()
    #: The outcome of ``allow_request`` (``None`` before it, or when not throttled).
    decision: Decision | None = None
    #: Why the rate could not be read, when it could not (see ``allow_request``).
    rate_error: str | None = None

    def __init__(self) -> None:
        if not getattr(self, "rate", None):
            self.rate = self.get_rate()
        self.set_rate(self.rate)

    def set_rate(self, rate: str | None) -> None:
        try:
            self.num_requests, self.duration = self.parse_rate(rate)
        except ValueError as exc:
            self.num_requests = self.duration = None
            self.rate_error = str(exc)

    def parse_rate(self, rate: str | None) -> tuple[int | None, int | None]:
        """DRF's rates plus multiples (``"100/5m"``); ``ValueError`` when malformed."""
        if rate is None:
            return (None, None)
        return parse_rate(rate)

    def get_ident(self, request: Request) -> str:
        """The client's identity (``drf_hardening.client_ip.get_client_ident``).

        Uses ``DRF_HARDENING["TRUSTED_PROXIES"]``, never DRF's ``NUM_PROXIES``,
        whose default (``None``) keys on the whole client-written header.
        """
        return get_client_ident(request)

    def get_cache(self) -> BaseCache:
        """The cache a subclass set as ``cache``, else ``THROTTLE_CACHE``."""
        if self.cache is not throttling.SimpleRateThrottle.cache:
            return self.cache
        return caches[conf.THROTTLE_CACHE]

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.check(request, view, self.key, str(self.scope or "throttle"))

    def check(self, request: Request, view: APIView, key: str, policy: str) -> bool:
        """Count this request on ``key``; add the headers; log a refusal."""
        self.now = self.timer()
        if self.num_requests is None or self.duration is None:
            # The system check (drf_hardening.E020) reports this before any request.
            events.report_failure(
                f"rate of scope {self.scope!r}",
                f"Throttle rate {self.rate!r} of scope {self.scope!r} is malformed "
                f"({self.rate_error}); THROTTLE_FAIL_OPEN decides every request of it.",
            )
            return self.unavailable()
        cache = self.get_cache()
        what = f"cache {type(cache).__name__}"
        try:
            decision = get_store(cache).decide(
                key, self.num_requests, self.duration * 1000, int(self.now * 1000), hit=True
            )
        except Exception as exc:  # a store outage must never become a 500
            events.report_failure(
                what,
                f"Throttle store ({what}) failed; requests are "
                + ("allowed" if conf.THROTTLE_FAIL_OPEN else "refused")
                + " until it answers (THROTTLE_FAIL_OPEN).",
                exc,
            )
            return self.unavailable()
        events.report_success(what)
        self.decision = decision
        if conf.RATELIMIT_HEADERS:
            remaining = self.num_requests - decision.used if decision.allowed else 0
            add_ratelimit_headers(
                view, policy, self.num_requests, self.duration, remaining, decision.reset_ms
            )
        if decision.allowed:
            return self.throttle_success()
        events.log_throttled(request, policy)
        return self.throttle_failure()

    def unavailable(self) -> bool:
        if conf.THROTTLE_FAIL_OPEN:
            return True
        raise ThrottleStoreUnavailable()

    def throttle_success(self) -> bool:
        return True

    def wait(self) -> float | None:
        """Seconds until this throttle allows a request again (``None`` if it allows now)."""
        if self.decision is None or self.decision.allowed:
            return None
        return self.decision.reset_ms / 1000


class AnonRateThrottle(SimpleRateThrottle, throttling.AnonRateThrottle):
    """Anonymous requests, per client IP (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]``)."""

    scope = "anon"


class UserRateThrottle(SimpleRateThrottle, throttling.UserRateThrottle):
    """Per user, or per client IP when anonymous (rate ``"user"``)."""

    scope = "user"


class ScopedRateThrottle(SimpleRateThrottle, throttling.ScopedRateThrottle):
    """Per view scope (the view's ``throttle_scope``), per user or client IP."""

    def __init__(self) -> None:
        # The rate depends on the view, known only in allow_request (as in DRF).
        pass

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return True
        self.rate = self.get_rate()
        self.set_rate(self.rate)
        return super().allow_request(request, view)


class LoginRateThrottle(SimpleRateThrottle):
    """Login attempts, counted per client IP and per submitted username.

    The rate is ``DEFAULT_THROTTLE_RATES["login"]`` when set, else
    ``DRF_HARDENING["LOGIN_RATE"]``. The IP limit stops one client trying many
    accounts; the username limit stops many clients (a botnet) trying one
    account, at the cost that they can lock that account's logins for the
    rest of the window. Usernames are compared case-insensitively and hashed
    before they become keys.
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
        data: Any = request.data
        field = (
            self.username_field
            or getattr(view, "username_field", None)
            or get_user_model().USERNAME_FIELD
        )
        value = data.get(field) if isinstance(data, Mapping) else None
        return value if isinstance(value, str) and value.strip() else None

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
        return self.check(request, view, key, f"{self.scope}_username")
