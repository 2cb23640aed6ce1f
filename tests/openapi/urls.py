"""Root URLconf of tests/openapi: the test API, its schema and Swagger UI."""

from __future__ import annotations

from typing import Any

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

API_URLCONF = "tests.openapi.api_urls"
#: drf-spectacular binds SPECTACULAR_SETTINGS at import; the views apply these per request.
SPECTACULAR: dict[str, Any] = {
    "TITLE": "drf-hardening test API",
    "VERSION": "1.0.0",
    "COMPONENT_SPLIT_REQUEST": True,
}

urlpatterns = [
    path("", include(API_URLCONF)),
    path(
        "schema/",
        SpectacularAPIView.as_view(urlconf=API_URLCONF, custom_settings=SPECTACULAR),
        name="schema",
    ),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

handler400 = "drf_hardening.views.handler400"
handler403 = "drf_hardening.views.handler403"
handler404 = "drf_hardening.views.handler404"
handler500 = "drf_hardening.views.handler500"
