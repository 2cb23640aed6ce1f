"""Middleware of drf-hardening. Where each one goes in MIDDLEWARE is in docs/middleware.md.

``FailedAuthGuardMiddleware`` is defined with the throttles it shares its counting
with (``drf_hardening.throttling.guard``) and importable from here, where the
other middleware are.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin
from django.utils.log import log_response

from drf_hardening.conf import conf
from drf_hardening.request_id import (
    generate_request_id,
    is_well_formed,
    reset_request_id,
    set_request_id,
)
from drf_hardening.throttling.guard import FailedAuthGuardMiddleware

__all__ = ["ContentSecurityPolicyMiddleware", "FailedAuthGuardMiddleware", "RequestIDMiddleware"]

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Send ``DRF_HARDENING["CONTENT_SECURITY_POLICY"]`` on responses that set none.

    Django 6.0 has ``SECURE_CSP`` and its own middleware, which the presets use
    there; this one is for Django 5.2. A view that sets its own policy (the API
    docs pages need scripts) keeps it. ``MiddlewareMixin`` makes it work with
    sync and async views alike.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policy = conf.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class RequestIDMiddleware:
    """Give every request an id: in the response header, error bodies and log records.

    The id comes from the ``DRF_HARDENING["REQUEST_ID_HEADER"]`` request header
    (set by a proxy or a calling service) when it is well formed (8-128 of
    ``A-Z a-z 0-9 . _ : = + / @ -``); anything else is replaced by a new one.
    It is current (``drf_hardening.request_id.get_request_id()``) while the
    request is handled, echoed in the same response header, and reset after.
    Put it first in ``MIDDLEWARE``, above ``SecurityMiddleware``, so that every
    other middleware's responses and log records carry it too: the HTTPS redirect,
    and the 400 (and its log line) for a ``Host`` outside ``ALLOWED_HOSTS``.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.async_mode:
            return self.__acall__(request)  # type: ignore[return-value]
        request_id = self.get_request_id(request)
        token = set_request_id(request_id)
        try:
            response = self.get_response(request)
            return self.process_response(request, response, request_id)
        finally:
            reset_request_id(token)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = self.get_request_id(request)
        token = set_request_id(request_id)
        try:
            response = await self.get_response(request)  # type: ignore[misc]
            return self.process_response(request, response, request_id)
        finally:
            reset_request_id(token)

    def get_request_id(self, request: HttpRequest) -> str:
        incoming = request.headers.get(conf.REQUEST_ID_HEADER)
        if incoming and is_well_formed(incoming):
            return incoming
        return generate_request_id()

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase, request_id: str
    ) -> HttpResponseBase:
        response[conf.REQUEST_ID_HEADER] = request_id
        if response.status_code >= 400:
            # Django logs 4xx/5xx responses ("Not Found: /x") after the middleware
            # chain has returned, when the id is no longer current. Log it here, with
            # Django's own function (same logger, message and escaping), which marks
            # the response so that Django does not log it a second time.
            log_response(
                "%s: %s",
                response.reason_phrase,
                request.path,
                response=response,  # type: ignore[arg-type]  # any HttpResponseBase works
                request=request,
            )
        return response
