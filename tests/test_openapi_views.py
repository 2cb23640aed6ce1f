"""``drf_hardening.openapi.views``: drf-spectacular's views, errors as the library's JSON.

Issue 17, finding 10: drf-spectacular's own views answer a 401 as YAML (the schema)
or as DRF's HTML error page (Swagger UI, ReDoc). Each test shows the finding with
drf-spectacular's view beside the library's. The example project served by gunicorn
is in tests/example/test_docs_views.py.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from drf_spectacular import views as spectacular
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.throttling import AnonRateThrottle

from drf_hardening.openapi import views
from drf_hardening.tokens.authentication import TokenAuthentication
from drf_hardening.tokens.views import LogoutView

pytestmark = [pytest.mark.urls("tests.test_openapi_views"), pytest.mark.django_db]


#: What the schema views document: a view of the library, not the docs views themselves
#: (drf-spectacular's views carry an extend_schema bound at their first import).
API = SimpleNamespace(urlpatterns=[path("logout/", LogoutView.as_view())])
STAFF = {
    "authentication_classes": [TokenAuthentication],
    "permission_classes": [IsAdminUser],
    "urlconf": API,
}
OPEN = {"authentication_classes": [], "permission_classes": [AllowAny], "urlconf": API}
PAGE = {k: v for k, v in STAFF.items() if k != "urlconf"}


class OnePerMinute(AnonRateThrottle):
    rate = "1/min"


class Throttled(views.SpectacularAPIView):
    throttle_classes = [OnePerMinute]


class Failing(views.SpectacularAPIView):
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("schema generation failed")


urlpatterns = [
    path("drf/schema/", spectacular.SpectacularAPIView.as_view(**STAFF)),
    path("drf/docs/", spectacular.SpectacularSwaggerView.as_view(**PAGE)),
    path("schema/", views.SpectacularAPIView.as_view(**STAFF)),
    path("schema.yaml", views.SpectacularYAMLAPIView.as_view(**STAFF)),
    path("schema.json", views.SpectacularJSONAPIView.as_view(**STAFF)),
    path("docs/", views.SpectacularSwaggerView.as_view(**PAGE)),
    path("docs-split/", views.SpectacularSwaggerSplitView.as_view(**PAGE)),
    path("redoc/", views.SpectacularRedocView.as_view(**PAGE)),
    path("open/schema/", views.SpectacularAPIView.as_view(**OPEN)),
    path("open/throttled/", Throttled.as_view(**OPEN)),
    path("open/failing/", Failing.as_view(**OPEN)),
]
LIBRARY = ["/schema/", "/schema.yaml", "/schema.json", "/docs/", "/docs-split/", "/redoc/"]


@pytest.fixture(autouse=True)
def _library_errors(settings: Any) -> None:
    # The project's handler is DRF's own: the library's views answer in its format anyway.
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    }
    from django.core.cache import cache

    cache.clear()


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response["X-Request-ID"]
    return body


def test_drf_spectacular_answers_a_401_as_yaml_and_html(client: Client, settings: Any) -> None:
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
    ]
    # The finding: the schema view's 401 is YAML, the page's is text/html.
    schema = client.get("/drf/schema/")
    assert schema.status_code == 401
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert schema.content.startswith(b"detail:\n")  # YAML
    page = client.get("/drf/docs/", HTTP_ACCEPT="text/html")
    assert page.status_code == 401
    assert page["Content-Type"].startswith("text/html")


#: Each view's URL with what a client of it accepts: anything, or the view's own type.
ACCEPTS = [(url, "*/*") for url in LIBRARY] + [
    ("/schema/", "application/vnd.oai.openapi"),
    ("/schema.yaml", "application/yaml"),
    ("/schema.json", "application/vnd.oai.openapi+json"),
    ("/docs/", "text/html"),
    ("/docs-split/", "text/html"),
    ("/redoc/", "text/html"),
]


@pytest.mark.parametrize(("url", "accept"), ACCEPTS)
def test_a_401_is_json_whatever_the_view_and_accept(client: Client, url: str, accept: str) -> None:
    response = client.get(url, HTTP_ACCEPT=accept)
    error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_a_wrong_token_and_a_user_without_staff_are_json(client: Client) -> None:
    from django.contrib.auth.models import User

    from drf_hardening.tokens import issue_token

    error(client.get("/docs/", HTTP_AUTHORIZATION="Token nope"), 401, "authentication_failed")
    user = User.objects.create_user("alice")
    token = issue_token(user)[1]
    error(client.get("/redoc/", HTTP_AUTHORIZATION=f"Token {token}"), 403, "permission_denied")
    user.is_staff = True
    user.save()
    answer = client.get("/schema/", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 200
    # The success is drf-spectacular's, unchanged.
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi;")
    assert answer.content.startswith(b"openapi: 3")
    assert b"/logout/" in answer.content


def test_405_406_404_and_429_are_json(client: Client) -> None:
    error(client.post("/open/schema/"), 405, "method_not_allowed")
    error(client.get("/open/schema/", HTTP_ACCEPT="text/html"), 406, "not_acceptable")
    error(client.get("/redoc/", HTTP_ACCEPT="application/json"), 406, "not_acceptable")
    error(client.get("/open/schema/", {"format": "bogus"}), 404, "not_found")
    ok = client.get("/open/schema/", {"format": "json"})
    assert ok.status_code == 200
    assert ok["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert client.get("/open/throttled/").status_code == 200
    throttled = client.get("/open/throttled/")
    error(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0


def test_a_500_is_json_and_says_nothing() -> None:
    client = Client(raise_request_exception=False)
    body = error(client.get("/open/failing/"), 500, "server_error")
    assert "schema generation failed" not in str(body)


def test_the_problem_format_is_problem_json(client: Client, settings: Any) -> None:
    settings.DRF_HARDENING = {"ERROR_FORMAT": "problem"}
    response = client.get("/docs/")
    assert (response.status_code, response["Content-Type"]) == (401, "application/problem+json")
    assert response.json()["code"] == "not_authenticated"


def test_no_other_library_module_imports_the_views_module() -> None:
    # drf-spectacular is optional: only a project that routes these views imports them.
    package = Path(views.__file__).parent.parent
    importers = [
        str(module.relative_to(package))
        for module in package.rglob("*.py")
        if "openapi.views" in module.read_text() and module != Path(views.__file__)
    ]
    assert importers == []
