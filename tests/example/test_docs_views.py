"""The example's schema and docs pages: token only, errors as the API's JSON (issue 17).

Finding 10: ``/api/schema/`` answered its errors in YAML and ``/api/docs/`` its 401 as
``text/html``. Finding 1: the pages took Basic, so every request to them was a password
check. The example now routes ``drf_hardening.openapi.views`` and authenticates the
pages with its tokens only. In process first, then the example as deployed: gunicorn
(production profile, Redis), as the outside battery attacked it.
"""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from drf_hardening.tokens import issue_token
from tests.e2e.components import Gunicorn, manage
from tests.e2e.conftest import WSGI_APP, production_env
from tests.services import RedisServer

pytestmark = pytest.mark.django_db
DOCS = ["/api/schema/", "/api/docs/", "/api/redoc/"]
API_CSP = "default-src 'none'; frame-ancestors 'none'"
STAFF_PASSWORD = "staff-pass-7781"


@pytest.fixture
def production(settings: Any) -> None:
    settings.DRF_HARDENING = {**settings.DRF_HARDENING, "PROFILE": "production"}


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def json_error(status: int, headers: Any, body: bytes, code: str) -> None:
    """An error as every other error of the API: its JSON envelope, its CSP, no frame."""
    assert status >= 400, body
    assert headers["Content-Type"] == "application/json", body
    assert json.loads(body)["error"]["code"] == code
    assert headers["Content-Security-Policy"] == API_CSP
    assert headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("url", DOCS)
def test_docs_are_staff_only_with_a_token_under_production(
    production: None, anon: APIClient, alice: Any, url: str
) -> None:
    anonymous = anon.get(url)
    json_error(anonymous.status_code, anonymous, anonymous.content, "not_authenticated")
    assert anonymous["WWW-Authenticate"].startswith("Token")  # not Basic: no password prompt
    refused = alice.get(url)
    json_error(refused.status_code, refused, refused.content, "permission_denied")
    assert refused.status_code == 403
    staff = get_user_model().objects.create_user("staff", password=STAFF_PASSWORD, is_staff=True)
    # A password is never checked here: Basic is not a scheme of these views.
    password = APIClient().get(url, HTTP_AUTHORIZATION=basic("staff", STAFF_PASSWORD))
    assert password.status_code == 401
    token = APIClient()
    token.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(staff)[1]}")
    assert token.get(url).status_code == 200


@pytest.mark.parametrize(
    ("url", "accept"),
    [("/api/schema/", "application/yaml"), ("/api/docs/", "text/html"), ("/api/redoc/", "*/*")],
)
def test_a_401_is_json_whatever_the_client_accepts(
    production: None, anon: APIClient, url: str, accept: str
) -> None:
    response = anon.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 401
    json_error(401, response, response.content, "not_authenticated")


def test_other_errors_of_the_docs_views_are_json(anon: APIClient) -> None:
    for response, status, code in [
        (anon.post("/api/schema/"), 405, "method_not_allowed"),
        (anon.delete("/api/docs/"), 405, "method_not_allowed"),
        (anon.get("/api/schema/", HTTP_ACCEPT="text/html"), 406, "not_acceptable"),
        (anon.get("/api/redoc/", HTTP_ACCEPT="application/json"), 406, "not_acceptable"),
        (anon.get("/api/schema/", {"format": "xml"}), 404, "not_found"),
    ]:
        assert response.status_code == status, response.content
        json_error(status, response, response.content, code)


def test_the_pages_keep_their_own_policy_on_success(anon: APIClient) -> None:
    page = anon.get("/api/docs/")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page["Content-Security-Policy"]
    schema = anon.get("/api/schema/")
    assert schema["Content-Type"].startswith("application/vnd.oai.openapi")


# --- the example as deployed: gunicorn, production profile, Redis -------------------------


@pytest.fixture(scope="module")
def served(redis_server: RedisServer) -> Iterator[tuple[Gunicorn, str]]:
    """The example under two gunicorn workers, and a staff member's token."""
    directory = Path(tempfile.mkdtemp(prefix="drfh-docs-views-"))
    database_url = f"sqlite:///{directory}/db.sqlite3"
    manage(database_url, "migrate", "--noinput")
    token = manage(
        database_url,
        "shell",
        "-c",
        "from django.contrib.auth.models import User; from drf_hardening.tokens import "
        f"issue_token; print(issue_token(User.objects.create_user('staff', "
        f"password='{STAFF_PASSWORD}', is_staff=True))[1])",
    ).split()[-1]  # after Django 5.2's shell line about its automatic imports
    env = production_env(REDIS_URL=redis_server.url, DATABASE_URL=database_url)
    server = Gunicorn(WSGI_APP, env, workers=2)
    try:
        server.start()
        yield server, token
    finally:
        server.cleanup()
        shutil.rmtree(directory, ignore_errors=True)


def fetch(server: Gunicorn, url: str, **headers: str) -> tuple[int, Any, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        # What the declared proxy (DJANGO_TRUSTED_PROXIES=1) sends: TLS ended there.
        sent = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https", **headers}
        connection.request("GET", url, headers=sent)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/api/schema/", "*/*"),
        ("/api/schema/", "application/yaml"),
        ("/api/docs/", "text/html"),
        ("/api/redoc/", "text/html"),
    ],
)
def test_docs_errors_are_json_under_gunicorn(
    served: tuple[Gunicorn, str], url: str, accept: str
) -> None:
    server, _ = served
    client = {"X-Forwarded-For": "198.51.100.20", "Accept": accept}
    status, headers, body = fetch(server, url, **client)
    assert status == 401
    json_error(status, headers, body, "not_authenticated")
    assert headers["WWW-Authenticate"].startswith("Token")


def test_docs_take_a_staff_token_not_a_password_under_gunicorn(
    served: tuple[Gunicorn, str],
) -> None:
    server, token = served
    client = {"X-Forwarded-For": "198.51.100.21"}
    status, headers, body = fetch(
        server, "/api/docs/", Authorization=basic("staff", STAFF_PASSWORD), **client
    )
    assert status == 401  # the Basic header is not a scheme of these views: anonymous
    json_error(status, headers, body, "not_authenticated")
    status, headers, body = fetch(server, "/api/schema/", Authorization=f"Bearer {token}", **client)
    assert status == 200
    assert headers["Content-Type"].startswith("application/vnd.oai.openapi")
    assert body.startswith(b"openapi: 3")
    status, headers, body = fetch(server, "/api/docs/", Authorization=f"Bearer {token}", **client)
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"]
