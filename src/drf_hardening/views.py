"""JSON error views for errors raised outside DRF's views.

Django answers unknown URLs, CSRF failures, oversized bodies and exceptions in
middleware or plain views with its HTML pages. These views answer them in
``DRF_HARDENING["ERROR_FORMAT"]`` instead, with the request id. Django looks
the handlers up in the ROOT URLconf only, so ``urls.py`` needs::

    handler400 = "drf_hardening.views.handler400"
    handler403 = "drf_hardening.views.handler403"
    handler404 = "drf_hardening.views.handler404"
    handler500 = "drf_hardening.views.handler500"

and settings ``CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"`` (the
presets set that one). Paths outside ``DRF_HARDENING["API_PATH_PREFIXES"]``
(default ``["/"]``, every path) keep Django's own pages, for the admin or a site
served by the same project. With ``DEBUG = True`` Django shows its technical
404 and 500 pages without calling these handlers, as it does for its own.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views import csrf, defaults
from django.views.decorators.csrf import requires_csrf_token
from rest_framework import exceptions
from rest_framework.utils.encoders import JSONEncoder

from drf_hardening import error_formats
from drf_hardening.conf import conf
from drf_hardening.error_formats import ErrorInfo
from drf_hardening.exceptions import BadRequest, RequestTooLarge, ServerError
from drf_hardening.logging.events import log_event
from drf_hardening.request_id import generate_request_id, get_request_id


class CSRFFailed(exceptions.PermissionDenied):
    """What ``csrf_failure`` answers: a 403 with its own code, so clients can tell it apart."""

    default_detail = _("CSRF verification failed.")
    default_code = "csrf_failed"


def is_api_path(request: HttpRequest) -> bool:
    """Whether ``request.path_info`` starts with one of ``API_PATH_PREFIXES``.

    A malformed value (check ``drf_hardening.E062``; checks do not run under a
    production server) is read as the default, every path: raising here would
    turn each 404 into a bare 500, and JSON never shows Django's debug pages.
    """
    prefixes = conf.API_PATH_PREFIXES
    if not isinstance(prefixes, (list, tuple)) or not all(isinstance(p, str) for p in prefixes):
        return True
    return request.path_info.startswith(tuple(prefixes))


def error_response(request: HttpRequest, exc: exceptions.APIException) -> HttpResponse:
    """A JSON response for ``exc`` in the configured format, with the request id."""
    request_id = get_request_id() or generate_request_id()
    error = ErrorInfo.from_exception(exc, request_id=request_id, path=request.path)
    error_format = conf.ERROR_FORMAT
    body = error_formats.render(error, error_format)
    response = HttpResponse(
        json.dumps(body, cls=JSONEncoder),
        status=error.status,
        content_type=error_formats.media_type(error_format),
    )
    response[conf.REQUEST_ID_HEADER] = request_id
    return response


@requires_csrf_token
def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Bad requests: 413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, else 400."""
    if not is_api_path(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return error_response(request, RequestTooLarge())
    return error_response(request, BadRequest())


@requires_csrf_token
def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``PermissionDenied`` outside DRF views: a generic 403 and a ``permission_denied`` event."""
    if not is_api_path(request):
        return defaults.permission_denied(request, exception)
    log_event("permission_denied", request, status=403)
    return error_response(request, exceptions.PermissionDenied())


@requires_csrf_token
def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown URLs and ``Http404`` outside DRF views: a generic 404, whatever the message said."""
    if not is_api_path(request):
        return defaults.page_not_found(request, exception)
    return error_response(request, exceptions.NotFound())


@requires_csrf_token
def handler500(request: HttpRequest) -> HttpResponse:
    """Django has already logged the traceback and sent ``got_request_exception``."""
    if not is_api_path(request):
        return defaults.server_error(request)
    log_event("server_error", request, status=500)
    return error_response(request, ServerError())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 whose message does not repeat ``reason``.

    Django's reasons can quote the request's ``Origin`` header; Django already
    logs them on ``django.security.csrf``.
    """
    if not is_api_path(request):
        return csrf.csrf_failure(request, reason)
    log_event("csrf_failed", request, status=403)
    return error_response(request, CSRFFailed())
