"""drf-spectacular's schema and docs views, with the project's JSON errors.

drf-spectacular's views render their errors with their own renderers: a 401 from
``SpectacularAPIView`` comes as YAML unless the client asks for JSON, and the
Swagger UI and ReDoc pages answer theirs as ``text/html`` (DRF's exception
template). These drop-ins answer every error (401, 403, 404, 405, 406, 429,
500...) through the library's error pipeline (``EXCEPTION_HANDLER_CLASS``, in
``ERROR_FORMAT``), as JSON whatever the view's renderers and the ``Accept``
header; their successful answers are drf-spectacular's, unchanged::

    from drf_hardening.openapi.views import SpectacularAPIView, SpectacularSwaggerView

    urlpatterns = [
        path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema")),
    ]

Importing this module imports drf-spectacular (the ``openapi`` extra); nothing
else in the library imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from drf_spectacular import views
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.exceptions import exception_handler


class JSONErrorsMixin(APIView):
    """Errors of a view as the library's JSON error body; every other answer as before.

    Put it first among the bases of any ``APIView`` whose renderers are not JSON.
    """

    def get_exception_handler(self) -> Callable[[Exception, Mapping[str, Any]], Response | None]:
        # The library's pipeline even where REST_FRAMEWORK["EXCEPTION_HANDLER"] is
        # another handler: these views answer as the rest of the library does.
        return exception_handler

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        # handle_exception marks the answers it made from an exception; those are
        # rendered as JSON (an ErrorResponse turns it into problem+json when
        # ERROR_FORMAT says so), never by the YAML or HTML renderer negotiated.
        if isinstance(response, Response) and getattr(response, "exception", False):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


class SpectacularAPIView(JSONErrorsMixin, views.SpectacularAPIView):
    """drf-spectacular's schema view (YAML, or JSON on request); errors as JSON."""


class SpectacularYAMLAPIView(JSONErrorsMixin, views.SpectacularYAMLAPIView):
    """drf-spectacular's YAML-only schema view; errors as JSON."""


class SpectacularJSONAPIView(JSONErrorsMixin, views.SpectacularJSONAPIView):
    """drf-spectacular's JSON-only schema view; errors as the library's JSON body."""


class SpectacularSwaggerView(JSONErrorsMixin, views.SpectacularSwaggerView):
    """drf-spectacular's Swagger UI page; errors as JSON, not DRF's HTML error page."""


class SpectacularSwaggerSplitView(JSONErrorsMixin, views.SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a file (no inline script); errors as JSON."""


class SpectacularRedocView(JSONErrorsMixin, views.SpectacularRedocView):
    """drf-spectacular's ReDoc page; errors as JSON."""
