"""Middleware of drf-hardening. Where each one goes in MIDDLEWARE is in docs/middleware.md."""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

from drf_hardening.conf import conf

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class ContentSecurityPolicyMiddleware:
    """Send ``DRF_HARDENING["CONTENT_SECURITY_POLICY"]`` on responses that set none.

    Django 6.0 has ``SECURE_CSP`` and its own middleware, which the presets use
    there; this one is for Django 5.2. A view that sets its own policy (the API
    docs pages need scripts) keeps it.
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
        return self.process_response(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)  # type: ignore[misc]
        return self.process_response(response)

    def process_response(self, response: HttpResponseBase) -> HttpResponseBase:
        policy = conf.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
