"""The OpenAPI schema and the docs pages: valid, complete, offline, public in development."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(tmp_path: Path) -> dict[str, Any]:
    # drf-spectacular's own validation against the OpenAPI 3 JSON schema; a warning fails too.
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    loaded: dict[str, Any] = yaml.safe_load(out.read_text())
    return loaded


def test_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Task Manager API"


def api_paths(patterns: list[Any], prefix: str = "") -> set[str]:
    found = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= api_paths(pattern.url_patterns, route)
        else:  # a URLPattern: urlpatterns hold nothing else (Django's check urls.E004)
            # drf-spectacular names a pk "id"; other converters keep their names.
            route = re.sub(r"(?<!\?P)<(?:\w+:)?(\w+)>", r"{\1}", route.replace("<int:pk>", "{id}"))
            found.add("/" + route)
    return found


def test_every_url_is_in_the_schema(schema: dict[str, Any]) -> None:
    # OWASP API9 (inventory): an endpoint missing from the schema is an endpoint nobody tests.
    documentation = {"/api/schema/", "/api/docs/", "/api/redoc/", "/^static/(?P<path>.*)$"}
    urls = api_paths(get_resolver().url_patterns)
    assert urls - documentation == set(schema["paths"])


def test_schema_documents_the_library_errors_and_throttling_headers(
    schema: dict[str, Any],
) -> None:
    detail = schema["paths"]["/api/tasks/{id}/"]
    for method in ("get", "put", "patch", "delete"):
        assert {"401", "403", "404", "429"} <= set(detail[method]["responses"])
    assert "400" in detail["put"]["responses"]
    create = schema["paths"]["/api/tasks/"]["post"]["responses"]
    # drf_hardening.openapi: a 400 lists each field with the codes it can fail with.
    assert create["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TaskValidationError"
    }
    assert detail["get"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "Retry-After" in create["429"]["headers"]
    assert {"RateLimit-Policy", "RateLimit"} <= set(detail["get"]["responses"]["200"]["headers"])
    error = schema["components"]["schemas"]["ErrorDetails"]
    assert set(error["required"]) == {"status", "code", "message", "fields", "request_id"}
    # Public endpoints do not claim a 401 they cannot give.
    assert "401" not in schema["paths"]["/api/auth/register/"]["post"]["responses"]


def test_schema_request_bodies_are_json_only(schema: dict[str, Any]) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            # Every view of this project parses JSON only (the login view included).
            if "requestBody" in operation:
                assert set(operation["requestBody"]["content"]) == {"application/json"}, (
                    path,
                    method,
                )


def test_docs_pages_are_served_from_the_project(anon: APIClient) -> None:
    for url in ("/api/docs/", "/api/redoc/"):
        response = anon.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        # drf-spectacular-sidecar: every script and stylesheet is local, no CDN.
        assert "/static/drf_spectacular_sidecar/" in html
        assert "http://" not in html.replace("http://testserver", "")
        assert "https://" not in html


def test_swagger_ui_init_script_is_a_file(anon: APIClient) -> None:
    html = anon.get("/api/docs/").content.decode()
    assert "<script>" not in html  # SpectacularSwaggerSplitView: no inline script
    script = anon.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def csp(response: Any) -> dict[str, list[str]]:
    return {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }


def test_docs_pages_have_their_own_csp_and_the_api_keeps_none(anon: APIClient, alice: Any) -> None:
    docs = csp(anon.get("/api/docs/"))
    assert docs["default-src"] == ["'none'"]
    assert docs["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert docs["frame-ancestors"] == ["'none'"]
    api = csp(alice.get("/api/tasks/"))
    assert api == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}


# Staff-only under production, with a token: tests/example/test_docs_views.py.


def test_docs_are_public_under_development(anon: APIClient) -> None:
    assert anon.get("/api/schema/").status_code == 200


def test_schema_declares_the_token_scheme_for_swagger_uis_authorize(
    schema: dict[str, Any],
) -> None:
    # drf_hardening.tokens.openapi: HTTP bearer, so Authorize takes the bare token.
    scheme = schema["components"]["securitySchemes"]["drfHardeningToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert {"drfHardeningToken": []} in schema["paths"]["/api/tasks/"]["get"]["security"]
    login = schema["paths"]["/api/auth/token/"]["post"]
    assert "security" not in login or login["security"] in ([], [{}])
    answer = login["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    issued = schema["components"]["schemas"][answer.rsplit("/", 1)[1]]
    assert set(issued["properties"]) == {"token", "id", "name", "expires"}
    listed = schema["components"]["schemas"]["Token"]["properties"]  # never a secret
    assert set(listed) == {"id", "name", "created", "last_used", "expires"}
    assert set(schema["paths"]["/api/auth/tokens/{token_id}/"]) == {"delete"}
