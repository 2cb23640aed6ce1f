"""The one error pipeline: DRF's ``EXCEPTION_HANDLER`` and every other error response.

``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``, set by the
presets) answers errors in DRF views; ``error_response`` answers those outside
them (``drf_hardening.views``, the failed-auth guard). Both run the class named
by ``DRF_HARDENING["EXCEPTION_HANDLER_CLASS"]`` (default ``ExceptionHandler``),
which sends no exception message that could leak (a 500 for anything that is
not an ``APIException``, whatever ``DEBUG`` says), logs the traceback and fires
``got_request_exception``, gives every error one body (``error_formats``) with
the request id, keeps ``WWW-Authenticate`` and ``Retry-After``, rolls back as
DRF does, and logs security events. docs/errors.md shows each case and how to
change one step.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest as DjangoBadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

from drf_hardening import error_formats
from drf_hardening.conf import conf
from drf_hardening.error_formats import ErrorInfo, ErrorResponse
from drf_hardening.logging.events import log_event, log_safely, rejected_input_codes
from drf_hardening.logging.redaction import escape_text
from drf_hardening.request_id import generate_request_id, get_request_id

request_logger = logging.getLogger("django.request")
logger = logging.getLogger(__name__)


class BadRequest(exceptions.APIException):
    """What Django's ``SuspiciousOperation`` (a bad Host header, too many fields...) becomes."""

    status_code = 400
    default_detail = _("Bad request.")
    default_code = "bad_request"


class RequestTooLarge(exceptions.APIException):
    """What Django's ``RequestDataTooBig`` (over ``DATA_UPLOAD_MAX_MEMORY_SIZE``) becomes."""

    status_code = 413
    default_detail = _("Request body too large.")
    default_code = "request_too_large"


class LengthRequired(exceptions.APIException):
    """A request body without ``Content-Length`` that the server cannot hand over whole."""

    status_code = 411
    default_detail = _("A request body needs a Content-Length header.")
    default_code = "length_required"


class CSRFFailed(exceptions.PermissionDenied):
    """A failed CSRF check, Django's or ``SessionAuthentication``'s: a 403 with its own code."""

    default_detail = _("CSRF verification failed.")
    default_code = "csrf_failed"


class ServerError(exceptions.APIException):
    """What every exception that is not an ``APIException`` becomes."""

    status_code = 500
    default_detail = _("A server error occurred.")
    default_code = "server_error"


class ExceptionHandler:
    """The steps of ``exception_handler``, each a method a subclass may override.

    ``run()`` calls, in order: ``convert_known_exceptions``, then
    ``convert_unhandled_exception`` for anything that is still not an
    ``APIException``, ``get_error_info``, ``format_error``, ``get_headers``,
    ``make_response``, DRF's ``set_rollback()``, and ``report_exception``.

    ``context`` is DRF's (``view``, ``args``, ``kwargs``, ``request``); outside
    DRF views ``view`` is ``None`` and ``request`` is Django's ``HttpRequest``.
    Name a subclass in ``DRF_HARDENING["EXCEPTION_HANDLER_CLASS"]`` and it
    answers every error of the library (docs/errors.md).
    """

    def __init__(self, exc: Exception, context: Mapping[str, Any]) -> None:
        self.exc = exc
        self.context = context
        self.request = context.get("request")
        #: Whether Django has already logged ``exc`` (its URL handlers are called after
        #: that): ``report_exception`` then only logs the security event.
        self.exception_reported = bool(context.get("exception_reported", False))
        # The id of this error: the request's, or a fresh one when RequestIDMiddleware
        # is not installed (kept here, not in the context variable, so it cannot
        # outlive the request).
        self.request_id = get_request_id() or generate_request_id()
        #: Whether the exception is one the client must learn nothing about (set by ``run``).
        self.unhandled = False

    @property
    def django_request(self) -> HttpRequest | None:
        """The ``HttpRequest`` under DRF's ``Request``: what Django's signals and loggers expect."""
        return getattr(self.request, "_request", self.request)

    def run(self) -> Response:
        exc = self.convert_known_exceptions(self.exc)
        if isinstance(exc, exceptions.APIException):
            api_exc = exc
        else:
            self.unhandled = True
            api_exc = self.convert_unhandled_exception(exc)
        error = self.get_error_info(api_exc)
        response = self.make_response(self.format_error(error), error, self.get_headers(api_exc))
        set_rollback()
        self.report_exception(api_exc, response)
        return response

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        """Map Django's exceptions and echoing DRF messages to safe ``APIException``\\s."""
        if isinstance(exc, Http404):
            # get_object_or_404's message names the model ("No Task matches the given query.").
            return exceptions.NotFound()
        if isinstance(exc, DjangoPermissionDenied):
            return exceptions.PermissionDenied()
        # RequestDataTooBig is a SuspiciousOperation: test it first.
        if isinstance(exc, RequestDataTooBig):
            return RequestTooLarge()
        # What Django itself answers with a 400 (through handler400 outside DRF).
        if isinstance(exc, (SuspiciousOperation, DjangoBadRequest, MultiPartParserError)):
            return BadRequest()
        if isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith(
            "CSRF Failed:"
        ):
            # SessionAuthentication's check; its reason can quote the Origin header.
            return CSRFFailed()
        if isinstance(exc, exceptions.ParseError):
            # The JSON parser's message quotes the body ("Expecting value: line 1 column 11").
            return exceptions.ParseError()
        if isinstance(exc, exceptions.UnsupportedMediaType):
            # DRF's message repeats the client's Content-Type header.
            return exceptions.UnsupportedMediaType("", _("Unsupported media type in request."))
        return exc

    def convert_unhandled_exception(self, exc: Exception) -> exceptions.APIException:
        """The 500 that replaces any other exception: no class, message or traceback."""
        return ServerError()

    def get_error_info(self, exc: exceptions.APIException) -> ErrorInfo:
        path = getattr(self.request, "path", "") or ""
        return ErrorInfo.from_exception(exc, request_id=self.request_id, path=path)

    def format_error(self, error: ErrorInfo) -> Any:
        """The body, in ``DRF_HARDENING["ERROR_FORMAT"]``."""
        return error_formats.render(error, conf.ERROR_FORMAT)

    def get_headers(self, exc: exceptions.APIException) -> dict[str, str]:
        headers = {conf.REQUEST_ID_HEADER: self.request_id, **self.get_security_headers()}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait:
            headers["Retry-After"] = f"{int(wait)}"
        return headers

    def get_security_headers(self) -> dict[str, str]:
        """The frame and CSP headers of every error body, whatever the middleware order.

        ``XFrameOptionsMiddleware`` sits last in ``MIDDLEWARE`` (startproject puts it
        there) and the CSP middleware below the failed-auth guard, so answers from
        above them (a bad ``Host``, the guard's 429) would go without. An error body
        is JSON, never a page: nothing may load in it or frame it.
        """
        headers = {}
        frame = getattr(settings, "X_FRAME_OPTIONS", "DENY")
        if isinstance(frame, str) and frame:
            headers["X-Frame-Options"] = frame.upper()
        policy = conf.CONTENT_SECURITY_POLICY
        if policy:
            headers["Content-Security-Policy"] = policy
        return headers

    def make_response(self, data: Any, error: ErrorInfo, headers: dict[str, str]) -> Response:
        return ErrorResponse(
            data,
            status=error.status,
            headers=headers,
            json_media_type=error_formats.media_type(conf.ERROR_FORMAT),
        )

    def report_exception(self, exc: exceptions.APIException, response: Response) -> None:
        """Log the traceback of a 500, fire ``got_request_exception``, log security events."""
        request = self.django_request
        if self.exception_reported:  # by Django, before it called its handler400...
            self.log_security_event(exc)
            return
        if self.unhandled:
            log_safely(
                request_logger,
                logging.ERROR,
                "Internal Server Error: %s",
                escape_text(getattr(request, "path", "")),
                exc_info=self.exc,
                extra={"status_code": 500, "request": request, "request_id": self.request_id},
            )
            # Django's handler logs every 4xx/5xx response again, without the traceback.
            response._has_been_logged = True  # type: ignore[attr-defined]
            got_request_exception.send(sender=None, request=request)
        elif isinstance(self.exc, SuspiciousOperation):
            # What Django's own handler does with it outside DRF.
            log_safely(
                logging.getLogger(f"django.security.{type(self.exc).__name__}"),
                logging.ERROR,
                escape_text(str(self.exc)),
                extra={"status_code": exc.status_code, "request": request},
            )
        self.log_security_event(exc)

    def log_security_event(self, exc: exceptions.APIException) -> None:
        event = self.get_security_event(exc)
        if event and self.request is not None:
            extra = {"codes": rejected_input_codes(exc)} if event == "input_rejected" else {}
            log_event(
                event, self.request, status=exc.status_code, request_id=self.request_id, **extra
            )

    def get_security_event(self, exc: exceptions.APIException) -> str | None:
        """The ``drf_hardening.security`` event this error is, if any (docs/logging.md)."""
        if isinstance(exc, exceptions.NotAuthenticated):
            return "authentication_required"
        if isinstance(exc, exceptions.AuthenticationFailed):
            return "authentication_failed"
        if isinstance(exc, CSRFFailed):
            return "csrf_failed"
        if isinstance(exc, exceptions.PermissionDenied):
            return "permission_denied"
        if isinstance(exc, exceptions.Throttled):
            return "throttled"
        if exc.status_code >= 500:
            return "server_error"
        if rejected_input_codes(exc):
            return "input_rejected"
        return None


@functools.lru_cache(maxsize=8)
def _import_handler_class(path: str) -> type[ExceptionHandler]:
    # Keyed on the path, so override_settings takes effect and the import runs once.
    try:
        cls = import_string(path)
    except ImportError:
        cls = None
    if isinstance(cls, type) and issubclass(cls, ExceptionHandler):
        return cls
    # Check drf_hardening.E063 reports it at start-up; raising here would turn every
    # error into Django's HTML 500 page.
    logger.error(
        "DRF_HARDENING['EXCEPTION_HANDLER_CLASS'] %r is not an importable subclass of "
        "ExceptionHandler; using ExceptionHandler.",
        path,
    )
    return ExceptionHandler


def get_handler_class() -> type[ExceptionHandler]:
    """The class named by ``DRF_HARDENING["EXCEPTION_HANDLER_CLASS"]``."""
    return _import_handler_class(conf.EXCEPTION_HANDLER_CLASS)


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER`` contract: ``(exc, context) -> Response | None``.

    Runs ``EXCEPTION_HANDLER_CLASS``. Unlike DRF's own, it never returns ``None``.
    """
    return get_handler_class()(exc, context).run()


def error_response(
    request: HttpRequest, exc: Exception, *, exception_reported: bool = False
) -> HttpResponse:
    """The rendered error response for ``exc`` raised outside a DRF view.

    Runs ``EXCEPTION_HANDLER_CLASS`` as ``exception_handler`` does (same body,
    request id header, ``Retry-After`` from ``exc.wait``, security event) and
    renders JSON, or ``application/problem+json`` in the ``problem`` format.
    ``exception_reported=True`` says that Django has already logged ``exc``
    (its ``handler400``... are called after that).
    """
    context: dict[str, Any] = {
        "view": None,
        "args": (),
        "kwargs": {},
        "request": request,
        "exception_reported": exception_reported,
    }
    response = get_handler_class()(exc, context).run()
    if isinstance(response, Response):  # a subclass's make_response may return another kind
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = "application/json"
        response.renderer_context = {"request": request, "response": response}  # type: ignore[attr-defined]
        response.render()
    return response
