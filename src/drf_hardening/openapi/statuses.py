"""Which error statuses a view can answer with, read from the view as DRF will run it.

Each function answers one question about a view (its authenticators,
permissions, throttles, paginator, filters) the way DRF's ``APIView.initial``
and the library's classes behave; ``drf_hardening.openapi.AutoSchema`` asks
them per operation.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.conf import settings
from rest_framework import pagination, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from drf_hardening import names
from drf_hardening.conf import conf
from drf_hardening.openapi.field_errors import FieldErrors, merge, parameter_errors
from drf_hardening.pagination import PageNumberPagination
from drf_hardening.throttling import ScopedRateThrottle, SimpleRateThrottle

#: Permissions that never refuse a user who is logged in.
_ANONYMOUS_ONLY = (
    permissions.AllowAny,
    permissions.IsAuthenticated,
    permissions.IsAuthenticatedOrReadOnly,
)
_UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _middleware() -> list[str]:
    value = getattr(settings, "MIDDLEWARE", None) or []
    return list(value) if isinstance(value, list | tuple) else []


def has_request_id_middleware() -> bool:
    """Whether every response carries the request id header (not only errors)."""
    return names.REQUEST_ID_MIDDLEWARE in _middleware()


def guard_is_active() -> bool:
    """Whether ``FailedAuthGuardMiddleware`` can answer any request with 429 (and 503)."""
    return names.AUTH_GUARD_MIDDLEWARE in _middleware() and conf.FAILED_AUTH_RATE is not None


def challenges(view: APIView) -> bool:
    """Whether a refused credential is a 401: DRF sends 403 when the first authenticator
    has no ``WWW-Authenticate`` challenge (``SessionAuthentication``)."""
    authenticators = view.get_authenticators()
    if not authenticators:
        return False
    try:
        return bool(authenticators[0].authenticate_header(view.request))
    except Exception:  # a custom authenticator that needs a real request
        return True


def refuses_authenticated(view: APIView, method: str) -> bool:
    """Whether a permission (or a CSRF check) can refuse a user who is logged in."""
    # type(), not isinstance(): a subclass may refuse more.
    if any(type(permission) not in _ANONYMOUS_ONLY for permission in view.get_permissions()):
        return True
    return method in _UNSAFE and any(
        isinstance(authenticator, SessionAuthentication)
        for authenticator in view.get_authenticators()
    )


def _throttles(view: APIView) -> list[BaseThrottle]:
    try:
        return list(view.get_throttles())
    except Exception:  # a scope without a rate (check E030): every request is a 500
        return []


def _can_throttle(view: APIView, throttle: BaseThrottle) -> bool:
    if isinstance(throttle, ScopedRateThrottle):
        scope = getattr(view, throttle.scope_attr, None)
        rates: Any = api_settings.DEFAULT_THROTTLE_RATES
        return bool(scope) and isinstance(rates, dict) and rates.get(scope) is not None
    if isinstance(throttle, SimpleRateThrottle):
        return throttle.rate is not None
    return True  # another library's throttle: assume it can refuse


def library_throttles(view: APIView) -> bool:
    """Whether a drf-hardening throttle counts this view's requests (and sends RateLimit)."""
    return any(
        isinstance(t, SimpleRateThrottle) and _can_throttle(view, t) for t in _throttles(view)
    )


def throttled(view: APIView) -> bool:
    """Whether a throttle of the view can refuse a request with 429."""
    return any(_can_throttle(view, throttle) for throttle in _throttles(view))


def paginator_can_404(paginator: Any) -> bool:
    """A page number or cursor past the end is DRF's ``NotFound``."""
    return isinstance(paginator, pagination.PageNumberPagination | pagination.CursorPagination)


def query_errors(view: APIView, paginator: Any, filter_backends: list[Any]) -> FieldErrors | None:
    """The field errors the query string of a list operation can cause, or ``None``."""
    tree = FieldErrors()
    found = False
    if isinstance(paginator, PageNumberPagination):
        merge(tree, parameter_errors({paginator.page_size_query_param: ["invalid"]}))
        found = True
    for backend_class in filter_backends:
        backend = backend_class()
        declared = getattr(backend, "get_schema_error_codes", None)
        if callable(declared):
            codes = declared(view)
            if codes:
                merge(tree, parameter_errors(codes))
                found = True
        elif type(backend) in (SearchFilter, OrderingFilter):
            continue  # DRF's own ignore values they cannot use
        else:
            codes = _django_filter_codes(view, backend)
            if codes is None:
                tree.any_code = True
            elif codes:
                merge(tree, parameter_errors(codes))
            found = found or codes is None or bool(codes)
    return tree if found else None


def _django_filter_codes(view: APIView, backend: Any) -> dict[str, set[str]] | None:
    """``{parameter: codes}`` of a django-filter ``FilterSet``'s form; ``None`` if unknown."""
    try:
        from django_filters.rest_framework import DjangoFilterBackend
        from drf_spectacular.plumbing import get_view_model
    except ImportError:
        return None
    if not isinstance(backend, DjangoFilterBackend):
        return None
    with contextlib.suppress(Exception):
        model = get_view_model(view)  # type: ignore[no-untyped-call]
        queryset = model._default_manager.none()
        filterset_class = backend.get_filterset_class(view, queryset)
        if filterset_class is None:
            return {}
        form = filterset_class(queryset=queryset).form
        codes: dict[str, set[str]] = {}
        for name, field in form.fields.items():
            # "invalid": what a form field's to_python() raises, custom ones included.
            found = (set(field.error_messages) | {"invalid"}) - {"required"}
            found |= {"required"} if field.required else set()
            for sub in getattr(field, "fields", ()):  # a range's two values
                found |= set(sub.error_messages) - {"required"}
            found |= {
                code for v in field.validators if isinstance(code := getattr(v, "code", 0), str)
            }
            codes[name] = found
        return codes
    return None
