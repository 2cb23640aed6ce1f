"""The throttle classes: DRF's API, atomic counting, constant memory, safe identities."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from django.core.cache import BaseCache
from rest_framework import status, throttling
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings

from drf_hardening.client_ip import get_client_ident
from drf_hardening.conf import conf
from drf_hardening.logging.events import security_logger
from drf_hardening.throttling import events
from drf_hardening.throttling.counting import DRF_DEFAULT_CACHE, PENDING, count, count_releasing
from drf_hardening.throttling.headers import add_ratelimit_headers
from drf_hardening.throttling.rates import parse_rate
from drf_hardening.throttling.stores import Decision, default_store

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

        Uses ``DRF_HARDENING["TRUSTED_PROXIES"]`` (an integer ``NUM_PROXIES`` when
        that is unset), never DRF's default (``None``), which keys on the whole
        client-written header.
        """
        return get_client_ident(request)

    def get_cache(self) -> BaseCache:
        """The cache a subclass set as ``cache``, else ``THROTTLE_CACHE``."""
        if self.cache is DRF_DEFAULT_CACHE:
            return default_store()[0].cache
        return self.cache

    def allow_request(self, request: Request, view: APIView) -> bool:
        """Count this request; add the ``RateLimit`` fields; log a refusal."""
        key = self.begin(request, view)
        if key is None:
            return True
        # The failed-auth guard's reservation rides along with this decision.
        if PENDING in getattr(request, "_request", request).__dict__:
            return self.conclude(count_releasing(self, key, request), request, view)
        return self.conclude(count(self, key), request, view)

    def begin(self, request: Request, view: APIView) -> str | None:
        """The key this request counts on; ``None``: this throttle does not apply to it.

        The step before the count, shared with the async throttles (``throttling.aio_throttles``).
        """
        if self.rate is None:
            return None
        key = self.key = self.get_cache_key(request, view)
        return key

    def conclude(self, decision: Decision | None, request: Request, view: APIView) -> bool:
        """The answer to ``decision`` (``None``: the store failed); adds the headers, logs."""
        if decision is None:
            return self.unavailable()
        self.decision = decision
        policy = self.scope or "throttle"
        # The view's headers are the response's (see headers.py); none without a view.
        headers = getattr(view, "headers", None) if view is not None else None
        if (
            headers is not None
            and (type(headers) is dict or isinstance(headers, MutableMapping))
            and conf.RATELIMIT_HEADERS
        ):
            limit, duration = self.num_requests or 0, self.duration or 0  # both set once counted
            remaining = limit - decision.used if decision.allowed else 0
            add_ratelimit_headers(headers, policy, limit, duration, remaining, decision.reset_ms)
        if decision.allowed:
            return self.throttle_success()
        if security_logger.isEnabledFor(logging.WARNING):  # else nobody listens: no call
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

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        user = request.user  # DRF's key, with request.user read once
        if user and user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserRateThrottle(SimpleRateThrottle, throttling.UserRateThrottle):
    """Per user, or per client IP when anonymous (rate ``"user"``)."""

    scope = "user"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        user = request.user  # DRF's key, with request.user read once
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ScopedRateThrottle(SimpleRateThrottle, throttling.ScopedRateThrottle):
    """Per view scope (the view's ``throttle_scope``), per user or client IP."""

    def __init__(self) -> None:
        # The rate depends on the view, known only in allow_request (as in DRF).
        pass

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        user = request.user  # DRF's key, with request.user read once
        ident = user.pk if user and user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def begin(self, request: Request, view: APIView) -> str | None:
        self.scope = getattr(view, self.scope_attr, None)
        if not self.scope:
            return None
        self.rate = self.get_rate()
        self.set_rate(self.rate)
        return super().begin(request, view)
