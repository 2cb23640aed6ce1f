"""Swagger UI and ReDoc, served from this project (drf-spectacular-sidecar, no CDN).

The API answers with ``Content-Security-Policy: default-src 'none'`` (harden()).
These two HTML pages need to run their own scripts, so they send a policy of
their own that allows exactly what they load from this origin and nothing else.
Both Django 6's ``ContentSecurityPolicyMiddleware`` and drf-hardening's
middleware on Django 5.2 keep a policy a view has already set, so one
mechanism works on every supported Django. Their errors (a 401 under
production, a 405...) are the API's JSON error bodies, with the API's own policy
(drf_hardening.openapi.views).
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from drf_hardening.openapi.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_CSP = "; ".join(
    [
        "default-src 'none'",
        # The Swagger UI init script is a file too (SpectacularSwaggerSplitView): no inline script.
        "script-src 'self'",
        # Swagger UI and ReDoc (styled-components) insert <style> elements at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        # The schema, and "Try it out" requests, go to this origin only.
        "connect-src 'self'",
        # ReDoc runs its search index in a worker built from a blob: URL.
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)


class DocsPolicyMixin:
    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if not getattr(response, "exception", False):  # an error body is JSON: it keeps 'none'
            response["Content-Security-Policy"] = DOCS_CSP
        return response


class SwaggerView(DocsPolicyMixin, SpectacularSwaggerSplitView):
    template_name = "tasks/swagger_ui.html"


class RedocView(DocsPolicyMixin, SpectacularRedocView):
    template_name = "tasks/redoc.html"
