"""Answer 429 to clients that keep failing authentication, before authentication runs.

DRF throttles run after authentication, so a request with a wrong token or
Basic password is refused with a 401 and never counted: credentials can be
guessed forever (encode/django-rest-framework#5234). This middleware counts,
per client (``get_client_ident``), the requests that *presented credentials
and failed*, and once ``DRF_HARDENING["FAILED_AUTH_RATE"]`` is spent answers
every request of that client with 429 and ``Retry-After`` until the window
ends, on every endpoint, without running the view or the authenticators.

A failure is a 401 response to a request carrying an ``Authorization`` header
(a bad token or Basic password; a client sending no credentials is not
guessing any), or a request passed to ``record_auth_failure`` (the login view
does so for a wrong username or password). ``FAILED_AUTH_RATE = None``
switches the guard off.

Concurrent guesses cannot outrun it: a request carrying credentials reserves
its attempt before the view, in one atomic step (``counting.reserve``), so at
most ``FAILED_AUTH_RATE`` of them reach authentication per window, however many
arrive at once. A failure keeps the reservation (one round trip in all); a
success gives it back: in the pipeline of the first throttle that decides after
authentication (``counting.count_releasing``: no extra round trip), else after
the response (one round trip, only then). Requests without credentials only
look; a failure reported by ``record_auth_failure`` is counted after the view.

Place it early in ``MIDDLEWARE``: right after ``RequestIDMiddleware``, so the
429 carries a request id and costs nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework import exceptions
from rest_framework.settings import api_settings

from drf_hardening.conf import conf
from drf_hardening.exceptions import error_response
from drf_hardening.throttling import events
from drf_hardening.throttling.counting import PENDING, Reservation, count, release, reserve
from drf_hardening.throttling.throttles import SimpleRateThrottle, ThrottleStoreUnavailable

SCOPE = "failed_auth"
_FAILED = "_drf_hardening_auth_failed"


#: The code of a login serializer's refusal of credentials (DRF's ``AuthTokenSerializer``'s).
INVALID_CREDENTIALS = "authorization"


def record_auth_failure(request: Any) -> None:
    """Count ``request`` (a Django or DRF request) as a failed authentication."""
    setattr(events.http_request(request), _FAILED, True)


def is_wrong_guess(exc: exceptions.ValidationError) -> bool:
    """A login serializer refused the credentials, not a form with a field missing or malformed.

    Whatever the values' types: ``{"username": 0, "password": 0}`` is a guess too.
    """
    codes: Any = exc.get_codes()
    errors = codes.get(api_settings.NON_FIELD_ERRORS_KEY, []) if isinstance(codes, dict) else []
    return INVALID_CREDENTIALS in errors


class FailedAuthThrottle(SimpleRateThrottle):
    """What the guard counts: failed authentications per client, at ``FAILED_AUTH_RATE``.

    A throttle like the others (DRF's ``cache_format``, ``get_ident``, the
    store of ``THROTTLE_CACHE``), so keys read ``throttle_failed_auth_<ident>``.
    """

    scope = SCOPE

    def get_rate(self) -> str | None:
        return conf.FAILED_AUTH_RATE

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class FailedAuthGuardMiddleware:
    """Refuse clients over ``FAILED_AUTH_RATE`` failed authentications with a 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def timer(self) -> float:
        """The clock of the windows; replaceable in tests, like a throttle's ``timer``."""
        return time.time()

    def get_throttle(self) -> FailedAuthThrottle:
        """A new counter for this request (the rate is read now), on this ``timer``."""
        throttle = FailedAuthThrottle()
        throttle.timer = self.timer
        return throttle

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        throttle = self.get_throttle()
        if throttle.rate is None:
            return self.get_response(request)
        key = throttle.get_cache_key(request, None)
        reservation = None
        if "HTTP_AUTHORIZATION" in request.META:
            decision, reservation = reserve(throttle, key)
        else:  # look only: a client that sends no credentials is guessing none
            decision = count(throttle, key, hit=False)
        throttle.decision = decision
        if decision is None:
            if not conf.THROTTLE_FAIL_OPEN:
                return error_response(request, ThrottleStoreUnavailable())
        elif not decision.allowed:
            events.log_throttled(request, SCOPE)
            return error_response(request, exceptions.Throttled(throttle.wait()))
        if reservation is not None:
            setattr(request, PENDING, reservation)
        response = self.get_response(request)
        self.settle(request, response, throttle, key)
        return response

    def settle(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        throttle: FailedAuthThrottle,
        key: str,
    ) -> None:
        """Keep a failure's reservation, give a success's back, count an unreserved failure."""
        pending: Reservation | None = request.__dict__.pop(PENDING, None)
        failed = self.is_failure(request, response)
        if pending is not None:  # no throttle gave it back: the outcome decides now
            if not failed:
                release(pending)
        elif failed:  # no reservation, or a throttle gave it back before the view failed
            count(throttle, key, hit=True)

    def is_failure(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """A request passed to ``record_auth_failure``, or a 401 to one with credentials."""
        if getattr(request, _FAILED, False):
            return True
        return response.status_code == 401 and "HTTP_AUTHORIZATION" in request.META
