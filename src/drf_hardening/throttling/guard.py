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
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework import exceptions
from rest_framework.settings import api_settings

from drf_hardening.conf import conf
from drf_hardening.exceptions import error_response
from drf_hardening.skeleton import SyncAndAsyncMiddleware
from drf_hardening.throttling import aio, events
from drf_hardening.throttling.counting import PENDING, Reservation, count, release, reserve
from drf_hardening.throttling.stores import Decision
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


class FailedAuthGuardMiddleware(SyncAndAsyncMiddleware):
    """Refuse clients over ``FAILED_AUTH_RATE`` failed authentications with a 429.

    Sync and async (no adapter under ASGI): both paths run the same steps,
    ``counted`` and ``refusal`` before the view, ``settle`` after it, and differ
    only in the store calls (``counting``'s, or ``aio``'s awaited).
    """

    def timer(self) -> float:
        """The clock of the windows; replaceable in tests, like a throttle's ``timer``."""
        return time.time()

    def get_throttle(self) -> FailedAuthThrottle:
        """A new counter for this request (the rate is read now), on this ``timer``."""
        throttle = FailedAuthThrottle()
        throttle.timer = self.timer
        return throttle

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.async_mode:
            return self.__acall__(request)  # type: ignore[return-value]
        counted = self.counted(request)
        if counted is None:
            return self.get_response(request)
        throttle, key = counted
        if "HTTP_AUTHORIZATION" in request.META:
            decision, reservation = reserve(throttle, key)
        else:  # look only: a client that sends no credentials is guessing none
            decision, reservation = count(throttle, key, hit=False), None
        refused = self.refusal(request, throttle, decision, reservation)
        if refused is not None:
            return refused
        response = self.get_response(request)
        give_back, count_failure = self.settle(request, response)
        if give_back is not None:
            release(give_back)
        elif count_failure:
            count(throttle, key, hit=True)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        counted = self.counted(request)
        if counted is None:
            return await self.get_response(request)  # type: ignore[no-any-return, misc]
        throttle, key = counted
        if "HTTP_AUTHORIZATION" in request.META:
            decision, reservation = await aio.areserve(throttle, key)
        else:
            decision, reservation = await aio.acount(throttle, key, hit=False), None
        refused = self.refusal(request, throttle, decision, reservation)
        if refused is not None:
            return refused
        response: HttpResponseBase = await self.get_response(request)  # type: ignore[misc]
        give_back, count_failure = self.settle(request, response)
        if give_back is not None:
            await aio.arelease(give_back)
        elif count_failure:
            await aio.acount(throttle, key, hit=True)
        return response

    def counted(self, request: HttpRequest) -> tuple[FailedAuthThrottle, str] | None:
        """The counter and key of this request's client; ``None`` when the guard is off."""
        throttle = self.get_throttle()
        if throttle.rate is None:
            return None
        return throttle, throttle.get_cache_key(request, None)

    def refusal(
        self,
        request: HttpRequest,
        throttle: FailedAuthThrottle,
        decision: Decision | None,
        reservation: Reservation | None,
    ) -> HttpResponseBase | None:
        """The answer before the view to the count (``None``: go on to the view)."""
        throttle.decision = decision
        if decision is None:
            if not conf.THROTTLE_FAIL_OPEN:
                return error_response(request, ThrottleStoreUnavailable())
        elif not decision.allowed:
            events.log_throttled(request, SCOPE)
            return error_response(request, exceptions.Throttled(throttle.wait()))
        if reservation is not None:
            setattr(request, PENDING, reservation)
        return None

    def settle(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> tuple[Reservation | None, bool]:
        """What is left to do after the view: the reservation to give back, or a failure to count.

        A failure keeps its reservation; a success gives it back, unless a throttle
        already did; a failure with no reservation (none was made, or a throttle gave
        it back before the view failed) is counted now.
        """
        pending: Reservation | None = request.__dict__.pop(PENDING, None)
        failed = self.is_failure(request, response)
        if pending is not None:  # no throttle gave it back: the outcome decides now
            return (None if failed else pending), False
        return None, failed

    def is_failure(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        """A request passed to ``record_auth_failure``, or a 401 to one with credentials."""
        if getattr(request, _FAILED, False):
            return True
        return response.status_code == 401 and "HTTP_AUTHORIZATION" in request.META
