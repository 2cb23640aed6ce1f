"""Issue 17's findings against real components: gunicorn workers, Redis, PostgreSQL, e-mail.

A project written by the test (its only security configuration is one
``harden(profile="production")`` call, plus ``ADMINS`` and a file e-mail backend) is
served by gunicorn on a real redis-server, on SQLite and, for the NUL byte, on a
PostgreSQL cluster of its own (``tests.pg``). Each test sends what the outside attack
sent and checks the answer, the e-mails written and gunicorn's log. Where the finding
is reproducible with DRF's own pieces (``/api/drf-staff/``), the test shows it too.
Finding 1 and the rest of 3, in-process with a counting hasher, are in
``tests/test_basic_auth.py``; 4 and 7 as units in ``tests/test_logging_preset.py`` and
``tests/test_reporter.py``.
"""

from __future__ import annotations

import base64
import contextlib
import email
import http.client
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

from drf_hardening import harden
from drf_hardening.middleware import ChunkedBodyMiddleware
from tests.e2e.components import Gunicorn
from tests.pg import PostgresServer, postgres_server  # noqa: F401 - a fixture
from tests.services import RedisServer

ROOT = Path(__file__).resolve().parent.parent
HOST = "api.example.com"
#: What the declared proxy (trusted_proxies=1) sends: TLS ended there.
PROXIED = {"Host": HOST, "X-Forwarded-Proto": "https"}

SETTINGS = """
import os

from drf_hardening import harden

SECRET_KEY = "k3J9-attack-tests-only-Qm7!vXz2#pL8@wR4$nB6^yT1&hF5*cD0(sG3)aE9"
DEBUG = os.environ.get("ATTACK_DEBUG") == "1"
ROOT_URLCONF = "attack_urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
if os.environ.get("PG_PORT"):
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.postgresql", "NAME": "postgres", "USER": "drfh",
        "HOST": "127.0.0.1", "PORT": os.environ["PG_PORT"],
    }}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SQLITE_PATH"],
    }}
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ["REDIS_URL"],
}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
import django
ADMINS = ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["MAIL_DIR"]

harden(globals(), profile="production", allowed_hosts=["api.example.com"], trusted_proxies=1)
"""

URLS = """
from django.urls import path
from rest_framework import authentication
from rest_framework.permissions import AllowAny, IsAdminUser
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.authentication import BasicAuthentication


class Staff(APIView):
    authentication_classes = [BasicAuthentication]
    permission_classes = [IsAdminUser]

    def get(self, request):
        return Response({"user": request.user.get_username()})


class DRFStaff(Staff):
    authentication_classes = [authentication.BasicAuthentication]


class Echo(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})

    def post(self, request):
        return Response({"data": request.data})


class Boom(Echo):
    def get(self, request):
        raise RuntimeError("the view failed")


urlpatterns = [
    path("api/staff/", Staff.as_view()),
    path("api/drf-staff/", DRFStaff.as_view()),
    path("api/echo/", Echo.as_view()),
    path("api/boom/", Boom.as_view()),
]

handler400 = "drf_hardening.views.handler400"
handler403 = "drf_hardening.views.handler403"
handler404 = "drf_hardening.views.handler404"
handler500 = "drf_hardening.views.handler500"
"""


@dataclass
class Project:
    """The written project: where it is and the environment it runs with."""

    directory: Path
    env: dict[str, str]
    mail_dir: Path

    def django_admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "django", *args],
            env={**os.environ, **self.env},
            cwd=self.directory,
            capture_output=True,
            text=True,
            check=False,
        )

    def mails(self) -> list[str]:
        """Each e-mail the file backend wrote: its subject and decoded body."""
        texts = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_text(errors="replace").split("\n" + "-" * 79 + "\n"):
                if raw.strip():
                    message = email.message_from_string(raw)
                    payload = message.get_payload(decode=True)
                    assert isinstance(payload, bytes)
                    texts.append(f"{message['Subject']}\n{payload.decode()}")
        return texts


def write_project(directory: Path, redis: RedisServer, **env: str) -> Project:
    directory.mkdir()
    (directory / "attack_settings.py").write_text(textwrap.dedent(SETTINGS))
    (directory / "attack_urls.py").write_text(textwrap.dedent(URLS))
    mail_dir = directory / "mail"
    mail_dir.mkdir()
    environment = {
        "DJANGO_SETTINGS_MODULE": "attack_settings",
        "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT)]),
        "REDIS_URL": redis.url,
        "MAIL_DIR": str(mail_dir),
        "SQLITE_PATH": str(directory / "db.sqlite3"),
        **env,
    }
    project = Project(directory, environment, mail_dir)
    migrated = project.django_admin("migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    return project


@dataclass
class Served:
    project: Project
    server: Gunicorn

    def send(
        self,
        method: str,
        path: str,
        headers: dict[str, str] | None = None,
        body: bytes | Iterable[bytes] | None = None,
        *,
        chunked: bool = False,
    ) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        try:
            connection.request(
                method, path, body=body, headers={**PROXIED, **(headers or {})},
                encode_chunked=chunked,
            )  # fmt: skip
            response = connection.getresponse()
            raw = response.read()
            kind = response.getheader("Content-Type") or ""
            data = json.loads(raw) if kind.startswith("application/json") else raw
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            connection.close()

    def get(self, path: str, **headers: str) -> tuple[int, dict[str, str], Any]:
        return self.send("GET", path, headers)


@contextlib.contextmanager
def serving(project: Project) -> Iterator[Served]:
    server = Gunicorn(
        app="django.core.wsgi:get_wsgi_application()",
        env=project.env,
        chdir=project.directory,
        workers=2,
    )
    try:
        server.start()
        yield Served(project, server)
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Iterator[Served]:
    """The project on SQLite, under two gunicorn workers."""
    project = write_project(tmp_path_factory.mktemp("attack") / "sqlite", redis_server)
    with serving(project) as served:
        yield served


@pytest.fixture(scope="module")
def pg_api(
    tmp_path_factory: pytest.TempPathFactory,
    redis_server: RedisServer,
    postgres_server: PostgresServer,  # noqa: F811 - the fixture imported above
) -> Iterator[Served]:
    """The same project on PostgreSQL."""
    project = write_project(
        tmp_path_factory.mktemp("attack") / "pg", redis_server, PG_PORT=str(postgres_server.port)
    )
    with serving(project) as served:
        yield served


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


# --- 1: Basic guesses from many addresses stop at the username's limit ------------------


def test_basic_guesses_from_ten_addresses_stop_at_the_username_limit(api: Served) -> None:
    statuses = [
        api.get(
            "/api/staff/",
            Authorization=basic("victim", f"guess-{i}"),
            **{"X-Forwarded-For": f"203.0.113.{i % 10}"},
        )[0]
        for i in range(20)
    ]
    # LOGIN_RATE is 5/min per username; each address stays under FAILED_AUTH_RATE (10/min).
    assert statuses == [401] * 5 + [429] * 15


# --- 3: a NUL byte in a Basic username on PostgreSQL ------------------------------------


def test_nul_in_a_basic_username_on_postgresql(pg_api: Served) -> None:
    nul = basic("ad\x00min", "x")
    # The finding, with DRF's class: PostgreSQL refuses the query, a 500 and an e-mail.
    status, _, body = pg_api.get(
        "/api/drf-staff/", Authorization=nul, **{"X-Forwarded-For": "198.51.100.1"}
    )
    assert (status, body["error"]["code"]) == (500, "server_error")
    assert len(pg_api.project.mails()) == 1
    # The library's class: a 401 before any query, counted by the failed-auth guard.
    statuses = [
        pg_api.get("/api/staff/", Authorization=nul, **{"X-Forwarded-For": "198.51.100.2"})[0]
        for _ in range(12)
    ]
    assert statuses == [401] * 10 + [429] * 2  # FAILED_AUTH_RATE: 10/min
    # The guard's 429 answers before the CSP and frame middleware: the pipeline sets both.
    status, headers, _ = pg_api.get(
        "/api/staff/", Authorization=nul, **{"X-Forwarded-For": "198.51.100.2"}
    )
    assert status == 429
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert len(pg_api.project.mails()) == 1  # nothing more was mailed
    log = pg_api.server.log_text()
    assert log.count("Internal Server Error: ") == 1, log[-3000:]  # DRF's class only


# --- 4: more than 1,000 query parameters, with ADMINS set -------------------------------


def test_query_parameter_flood_is_a_json_400_without_mail(api: Served) -> None:
    before = len(api.project.mails())
    flood = "&".join(["a"] * 1001)
    status, headers, body = api.get(f"/api/echo/?{flood}")
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert body["error"]["code"] == "bad_request"
    assert len(api.project.mails()) == before
    log = api.server.log_text()
    assert "TooManyFieldsSent" in log
    assert "Logging error" not in log


# --- 5: DEBUG = True under the production profile ---------------------------------------


def test_debug_under_production_does_not_boot(tmp_path: Path, redis_server: RedisServer) -> None:
    project = write_project(tmp_path / "debug", redis_server)
    server = Gunicorn(
        app="django.core.wsgi:get_wsgi_application()",
        env={**project.env, "ATTACK_DEBUG": "1"},
        chdir=project.directory,
        workers=1,
    )
    try:
        # The worker cannot load settings.py, so gunicorn exits: nothing ever answers.
        with pytest.raises(AssertionError, match="is not running"):
            server.start()
        assert "ImproperlyConfigured: harden(profile='production') with DEBUG = True" in (
            server.log_text()
        )
    finally:
        server.cleanup()


def test_harden_refuses_debug_under_production_only() -> None:
    with pytest.raises(ImproperlyConfigured, match="with DEBUG = True"):
        harden({"DEBUG": True}, profile="production", allowed_hosts=[HOST])
    harden({"DEBUG": False}, profile="production", allowed_hosts=[HOST])
    namespace: dict[str, Any] = {"DEBUG": True}
    harden(namespace, profile="development")
    assert namespace["DEBUG"] is True


# --- 7: credentials in the query string of a 500 ----------------------------------------

SECRETS = ("S3CR3T-access-token", "hunter2-password")


def test_error_mail_masks_credentials_of_the_url(api: Served) -> None:
    before = len(api.project.mails())
    path = f"/api/boom/?access_token={SECRETS[0]}&page=2&password={SECRETS[1]}"
    status, _, body = api.get(path)
    assert (status, body["error"]["code"]) == (500, "server_error")
    [mail] = api.project.mails()[before:]
    assert not [secret for secret in SECRETS if secret in mail]
    assert "Request URL: https://api.example.com/api/boom/?access_token=[REDACTED]&page=2" in mail
    assert "password = '[REDACTED]'" in mail  # the GET section
    assert "QUERY_STRING = 'access_token=[REDACTED]&page=2&password=[REDACTED]'" in mail
    assert "RAW_URI = '/api/boom/?access_token=[REDACTED]&page=2&password=[REDACTED]'" in mail
    assert "Exception Value: the view failed" in mail


# --- 9: the bad-Host 400 and its frame headers ------------------------------------------


def test_bad_host_400_carries_the_frame_and_csp_headers(api: Served) -> None:
    status, headers, body = api.get("/api/echo/", Host="evil.example")
    assert status == 400
    assert body["error"]["request_id"] == headers["x-request-id"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"


# --- 11: a chunked body without Content-Length ------------------------------------------

TASK = {"title": "Buy milk", "done": False}


def test_chunked_body_is_read_under_gunicorn(api: Served) -> None:
    payload = json.dumps(TASK).encode()
    chunks = [payload[:7], payload[7:]]
    status, _, body = api.send(
        "POST", "/api/echo/", {"Content-Type": "application/json"}, iter(chunks), chunked=True
    )
    assert (status, body) == (200, {"data": TASK})


def test_chunked_body_over_the_cap_is_a_413(api: Served) -> None:
    big = json.dumps({"title": "x" * 1_100_000}).encode()
    chunks = (big[i : i + 65536] for i in range(0, len(big), 65536))
    status, _, body = api.send(
        "POST", "/api/echo/", {"Content-Type": "application/json"}, chunks, chunked=True
    )
    assert (status, body["error"]["code"]) == (413, "request_too_large")


def chunked_request(environ: dict[str, Any]) -> Any:
    """A POST as gunicorn hands a chunked one to Django: no length, the body in the input."""
    payload = json.dumps(TASK).encode()
    return RequestFactory().generic(
        "POST",
        "/api/echo/",
        CONTENT_TYPE="application/json",
        HTTP_TRANSFER_ENCODING="chunked",
        **{"wsgi.input": io.BytesIO(payload), **environ},
    )


def test_without_the_middleware_drf_reads_a_chunked_body_as_empty() -> None:
    # The finding, with Django's and DRF's own request parsing.
    request = chunked_request({"wsgi.input_terminated": True})
    assert Request(request, parsers=[JSONParser()]).data == {}


def test_middleware_reads_a_terminated_body_and_refuses_the_others() -> None:
    middleware = ChunkedBodyMiddleware(HttpResponse)
    request = chunked_request({"wsgi.input_terminated": True})
    assert middleware.process_request(request) is None
    assert Request(request, parsers=[JSONParser()]).data == TASK
    refused = middleware.process_request(chunked_request({}))
    assert isinstance(refused, HttpResponse)
    assert refused.status_code == 411
    assert json.loads(refused.content)["error"]["code"] == "length_required"


def test_middleware_leaves_bodies_with_a_length_alone() -> None:
    middleware = ChunkedBodyMiddleware(HttpResponse)
    request = RequestFactory().post("/api/echo/", TASK, content_type="application/json")
    assert middleware.process_request(request) is None
    assert Request(request, parsers=[JSONParser()]).data == TASK
    assert middleware.process_request(RequestFactory().get("/")) is None


def test_middleware_works_under_asgi() -> None:
    import asyncio

    from django.core.handlers.asgi import ASGIRequest

    payload = json.dumps(TASK).encode()
    scope = {
        "type": "http", "method": "POST", "path": "/api/echo/", "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")],
    }  # fmt: skip
    request = ASGIRequest(scope, io.BytesIO(payload))

    async def view(request: Any) -> HttpResponse:
        return HttpResponse(json.dumps(Request(request, parsers=[JSONParser()]).data))

    middleware = ChunkedBodyMiddleware(view)  # type: ignore[arg-type]  # an async view
    # In a thread of its own: the session's Playwright browser may own this thread's loop.
    with ThreadPoolExecutor(1) as pool:
        response: Any = pool.submit(asyncio.run, middleware(request)).result()  # type: ignore[arg-type]
    assert json.loads(response.content) == TASK
