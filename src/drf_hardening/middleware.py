"""Middleware of drf-hardening. Where each one goes in MIDDLEWARE is in docs/middleware.md.

``FailedAuthGuardMiddleware`` is defined with the throttles it shares its counting
with (``drf_hardening.throttling.guard``) and importable from here, where the
other middleware are.
"""

from __future__ import annotations

import io
from typing import IO

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponseBase
from django.utils.log import log_response

from drf_hardening.conf import conf
from drf_hardening.exceptions import LengthRequired, RequestTooLarge, error_response
from drf_hardening.logging.events import report_logging_error
from drf_hardening.request_id import (
    generate_request_id,
    is_well_formed,
    reset_request_id,
    set_request_id,
)
from drf_hardening.skeleton import SyncAndAsyncMiddleware
from drf_hardening.throttling.guard import FailedAuthGuardMiddleware

__all__ = [
    "ChunkedBodyMiddleware",
    "ContentSecurityPolicyMiddleware",
    "FailedAuthGuardMiddleware",
    "RequestIDMiddleware",
]


class ContentSecurityPolicyMiddleware(SyncAndAsyncMiddleware):
    """Send ``DRF_HARDENING["CONTENT_SECURITY_POLICY"]`` on responses that set none.

    Django 6.0 has ``SECURE_CSP`` and its own middleware, which the presets use
    there; this one is for Django 5.2. A view that sets its own policy (the API
    docs pages need scripts) keeps it.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.async_mode:
            return self.__acall__(request)  # type: ignore[return-value]
        return self.process_response(request, self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        response = await self.get_response(request)  # type: ignore[misc]
        return self.process_response(request, response)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        policy = conf.CONTENT_SECURITY_POLICY
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


class RequestIDMiddleware(SyncAndAsyncMiddleware):
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
            try:
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,  # type: ignore[arg-type]  # any HttpResponseBase works
                    request=request,
                )
            except Exception:
                # A handler that raises must not turn this answer into a 500 (see
                # drf_hardening.logging.events.log_safely, which reports it the same way),
                # nor be tried again by Django's handler after the middleware chain.
                report_logging_error("django.request")
                response._has_been_logged = True  # type: ignore[attr-defined]
        return response


class ChunkedBodyMiddleware(SyncAndAsyncMiddleware):
    """Read a body sent with ``Transfer-Encoding: chunked`` and no length, or answer 411.

    Django takes the body's length from ``Content-Length``; without one it reads
    nothing, and DRF parses an empty body: a valid task arrives as "title is
    required" (issue 17). Where the server has de-chunked the body and marks
    its end (gunicorn's ``wsgi.input_terminated``; ASGI servers, whose body
    Django has read whole), this middleware reads it, up to
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (a 413 past it), and gives the request its
    length, so that Django and DRF read it as usual. Elsewhere (``runserver``,
    a WSGI server that passes the chunks through) it answers a JSON 411: the
    body cannot be read safely, and must never be taken for an empty one.

    Put it early in ``MIDDLEWARE``, before anything that reads the body
    (``CsrfViewMiddleware`` reads form posts): right after the failed-auth guard.
    """

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self.async_mode:
            return self.__acall__(request)  # type: ignore[return-value]
        refused = self.process_request(request)
        return refused if refused is not None else self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        refused = self.process_request(request)
        if refused is not None:
            return refused
        return await self.get_response(request)  # type: ignore[no-any-return, misc]

    def process_request(self, request: HttpRequest) -> HttpResponseBase | None:
        """``None`` to go on (the body, if any, now has a length), else the error to send."""
        meta = request.META
        if (
            meta.get("CONTENT_LENGTH")
            or "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            return None
        stream = self.whole_body(request)
        if stream is None:
            return error_response(request, LengthRequired())
        limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(body) > limit:
            return error_response(request, RequestTooLarge())
        # What WSGIRequest/ASGIRequest would have built had the length been sent.
        request._stream = io.BytesIO(body)
        meta["CONTENT_LENGTH"] = str(len(body))
        return None

    def whole_body(self, request: HttpRequest) -> IO[bytes] | None:
        """The de-chunked body, when the server says it ends where the body ends."""
        if isinstance(request, ASGIRequest):
            return request._stream
        environ = getattr(request, "environ", {})
        if environ.get("wsgi.input_terminated") is True:
            stream: IO[bytes] | None = environ.get("wsgi.input")
            return stream
        return None
