"""JSON error views for errors raised outside DRF's views.

Django answers unknown URLs, CSRF failures, oversized bodies and exceptions in
middleware or plain views with its HTML pages. These views answer them with
``drf_hardening.exceptions.error_response``: the same handler class, body,
request id and security events as errors in DRF views. Django looks the
handlers up in the ROOT URLconf only, so ``urls.py`` needs::

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

from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults
from django.views.decorators.csrf import requires_csrf_token

from drf_hardening.conf import conf
from drf_hardening.exceptions import CSRFFailed, ServerError, error_response


def is_api_path(request: HttpRequest) -> bool:
    """Whether ``request.path_info`` starts with one of ``API_PATH_PREFIXES``.

    A malformed value (check ``drf_hardening.E062``) reads as the default, every
    path: ``conf`` serves the default until the value is fixed.
    """
    return request.path_info.startswith(tuple(conf.API_PATH_PREFIXES))


# Django calls handler400/403/404/500 after it has logged the exception (and, for a
# 500, sent got_request_exception): exception_reported=True keeps them from doing so twice.


@requires_csrf_token
def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Bad requests: 413 for a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``, else 400."""
    if not is_api_path(request):
        return defaults.bad_request(request, exception)
    return error_response(request, exception, exception_reported=True)


@requires_csrf_token
def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``PermissionDenied`` outside DRF views: a generic 403 and a ``permission_denied`` event."""
    if not is_api_path(request):
        return defaults.permission_denied(request, exception)
    return error_response(request, exception, exception_reported=True)


@requires_csrf_token
def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown URLs and ``Http404`` outside DRF views: a generic 404, whatever the message said."""
    if not is_api_path(request):
        return defaults.page_not_found(request, exception)
    return error_response(request, exception, exception_reported=True)


@requires_csrf_token
def handler500(request: HttpRequest) -> HttpResponse:
    """A generic 500 and a ``server_error`` event.

    Django passes ``handler500`` no exception, so the handler class gets a
    ``ServerError`` (``convert_unhandled_exception`` is not called here).
    """
    if not is_api_path(request):
        return defaults.server_error(request)
    return error_response(request, ServerError(), exception_reported=True)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: a 403 whose message does not repeat ``reason``.

    Django's reasons can quote the request's ``Origin`` header; Django already
    logs them on ``django.security.csrf``.
    """
    if not is_api_path(request):
        return csrf.csrf_failure(request, reason)
    return error_response(request, CSRFFailed())
