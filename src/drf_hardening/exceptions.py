"""DRF's ``EXCEPTION_HANDLER``, made leak-proof and given one body shape.

Set ``REST_FRAMEWORK["EXCEPTION_HANDLER"] = "drf_hardening.exceptions.exception_handler"``
(the presets do). Compared with DRF's handler:

- every exception gets a response: one that is not an ``APIException`` becomes a
  500 with a generic message, whatever ``DEBUG`` says; its traceback goes to
  the ``django.request`` log with the request id and ``got_request_exception``
  fires, so Sentry and ``ADMINS`` e-mail keep working;
- Django's ``Http404``, ``PermissionDenied``, ``SuspiciousOperation`` (400) and
  ``RequestDataTooBig`` (413) get the same shape, and messages that would echo
  the request or the code (parser errors, ``get_object_or_404``'s model name)
  are replaced with generic ones;
- the body follows ``DRF_HARDENING["ERROR_FORMAT"]`` (``error_formats``) and
  carries the request id; ``WWW-Authenticate`` and ``Retry-After`` are kept and
  the transaction is rolled back, as DRF does;
- 401, 403, 429, 5xx and input refused by the strict-text policy are logged
  as security events (``security_log``).

To change one step, subclass ``ExceptionHandler`` and point ``EXCEPTION_HANDLER``
at a function that runs it (see docs/errors.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from drf_hardening import error_formats
from drf_hardening.conf import conf
from drf_hardening.error_formats import ErrorInfo
from drf_hardening.logging.events import log_event, rejected_input_codes
from drf_hardening.logging.redaction import escape_text
from drf_hardening.request_id import generate_request_id, get_request_id

request_logger = logging.getLogger("django.request")


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


class ServerError(exceptions.APIException):
    """What every exception that is not an ``APIException`` becomes."""

    status_code = 500
    default_detail = _("A server error occurred.")
    default_code = "server_error"


def convert_django_exception(exc: Exception) -> exceptions.APIException | None:
    """Django's request exceptions as API exceptions with generic messages, else ``None``.

    Shared with ``drf_hardening.views``, which sees the same exceptions outside DRF.
    """
    if isinstance(exc, Http404):
        # get_object_or_404's message names the model ("No Task matches the given query.").
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    # RequestDataTooBig is a SuspiciousOperation: test it first.
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, SuspiciousOperation):
        return BadRequest()
    return None


class ExceptionHandler:
    """The steps of ``exception_handler``, each a method a subclass may override.

    ``run()`` calls, in order: ``convert_known_exceptions``, then
    ``convert_unhandled_exception`` for anything that is still not an
    ``APIException``, ``get_error_info``, ``format_error``, ``get_headers``,
    ``make_response``, DRF's ``set_rollback()``, and ``report_exception``.
    """

    def __init__(self, exc: Exception, context: Mapping[str, Any]) -> None:
        self.exc = exc
        self.context = context
        self.request = context.get("request")
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
        converted = convert_django_exception(exc)
        if converted is not None:
            return converted
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
        headers = {conf.REQUEST_ID_HEADER: self.request_id}
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        wait = getattr(exc, "wait", None)
        if wait:
            headers["Retry-After"] = f"{int(wait)}"
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
        if self.unhandled:
            request_logger.error(
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
            logging.getLogger(f"django.security.{type(self.exc).__name__}").error(
                escape_text(str(self.exc)),
                extra={"status_code": exc.status_code, "request": request},
            )
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
        if isinstance(exc, exceptions.PermissionDenied):
            return "permission_denied"
        if isinstance(exc, exceptions.Throttled):
            return "throttled"
        if exc.status_code >= 500:
            return "server_error"
        if rejected_input_codes(exc):
            return "input_rejected"
        return None


class ErrorResponse(Response):
    """A DRF ``Response`` that, when rendered as JSON, is sent as ``json_media_type``.

    The renderer is still negotiated (the browsable API keeps showing errors in
    HTML); only ``application/json`` is swapped, for ``application/problem+json``.
    """

    def __init__(self, *args: Any, json_media_type: str = "application/json", **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.json_media_type = json_media_type

    @property
    def rendered_content(self) -> Any:
        content = super().rendered_content
        if self.json_media_type != "application/json" and self.get("Content-Type", "").startswith(
            "application/json"
        ):
            self["Content-Type"] = self.json_media_type
        return content


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER`` contract: ``(exc, context) -> Response | None``.

    Unlike DRF's own, it never returns ``None``: see the module docstring.
    """
    return ExceptionHandler(exc, context).run()
