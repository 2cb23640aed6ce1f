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

Place it early in ``MIDDLEWARE``: right after ``RequestIDMiddleware``, so the
429 carries a request id and costs nothing else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponseBase, JsonResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from drf_hardening.client_ip import get_client_ident
from drf_hardening.conf import conf
from drf_hardening.throttling import events
from drf_hardening.throttling.rates import parse_rate
from drf_hardening.throttling.stores import Decision, get_store
from drf_hardening.throttling.throttles import ThrottleStoreUnavailable

SCOPE = "failed_auth"
_FAILED = "_drf_hardening_auth_failed"


def record_auth_failure(request: Any) -> None:
    """Count ``request`` (a Django or DRF request) as a failed authentication."""
    setattr(events.http_request(request), _FAILED, True)


class FailedAuthGuardMiddleware:
    """Refuse clients over ``FAILED_AUTH_RATE`` failed authentications with a 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def timer(self) -> float:
        """The clock of the windows; replaceable in tests, like a throttle's ``timer``."""
        return time.time()

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rate = conf.FAILED_AUTH_RATE
        if rate is None:
            return self.get_response(request)
        key = f"throttle_{SCOPE}_{get_client_ident(request)}"
        state = self.decide(rate, key, hit=False)  # look only: most clients never fail
        if state is None and not conf.THROTTLE_FAIL_OPEN:
            return self.refuse(request, ThrottleStoreUnavailable())
        if state is not None and not state.allowed:
            events.log_throttled(request, SCOPE)
            return self.refuse(request, exceptions.Throttled(state.reset_ms / 1000))
        response = self.get_response(request)
        if self.is_failure(request, response):
            self.decide(rate, key, hit=True)
        return response

    def is_failure(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        if getattr(request, _FAILED, False):
            return True
        return response.status_code == 401 and "HTTP_AUTHORIZATION" in request.META

    def decide(self, rate: str, key: str, hit: bool) -> Decision | None:
        """Look at (or count on) ``key``; ``None`` when the rate or the store fails."""
        try:
            limit, duration = parse_rate(rate)
        except ValueError as exc:  # drf_hardening.E022 reports it before any request
            events.report_failure("FAILED_AUTH_RATE", f"FAILED_AUTH_RATE is malformed: {exc}")
            return None
        cache = caches[conf.THROTTLE_CACHE]
        what = f"cache {type(cache).__name__}"
        try:
            decision = get_store(cache).decide(
                key, limit, duration * 1000, int(self.timer() * 1000), hit=hit
            )
        except Exception as exc:  # a store outage must never become a 500
            events.report_failure(what, f"Throttle store ({what}) failed (auth guard).", exc)
            return None
        events.report_success(what)
        return decision

    def refuse(self, request: HttpRequest, exc: exceptions.APIException) -> HttpResponseBase:
        """The error response DRF would give ``exc``, in the project's error format."""
        handler: Callable[[Exception, dict[str, Any]], Any] = api_settings.EXCEPTION_HANDLER  # type: ignore[assignment]
        context: dict[str, Any] = {"view": None, "args": (), "kwargs": {}, "request": request}
        try:
            response = handler(exc, context)
        except Exception:  # a handler that needs a view; fall back to a plain body
            response = None
        if not isinstance(response, Response):
            headers = {"Retry-After": str(math.ceil(getattr(exc, "wait", 1) or 1))}
            return JsonResponse(
                {"detail": str(exc.detail)}, status=exc.status_code, headers=headers
            )
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = "application/json"
        response.renderer_context = {"request": request, "response": response}  # type: ignore[attr-defined]
        response.render()
        return response
