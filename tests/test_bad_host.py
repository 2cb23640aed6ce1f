"""A foreign ``Host``: one WARNING line per request, with the response's request id.

Django logs each request whose ``Host`` is not in ``ALLOWED_HOSTS`` on
``django.security.DisallowedHost`` at ERROR with a traceback; the logging preset's
``DisallowedHostFilter`` makes it one line. Unit tests of the filter first, then the
test client (HTTP and HTTPS, ``SECURE_SSL_REDIRECT`` on), then a real gunicorn on
``tests.hardened_settings`` with 100 bad-Host requests over each scheme.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, RequestFactory

from drf_hardening.logging import (
    DisallowedHostFilter,
    JSONFormatter,
    RedactingFilter,
    RequestIDFilter,
    TextFormatter,
)
from drf_hardening.logging.filters import MAX_HOST_LENGTH
from drf_hardening.presets.logging import TEXT_FORMAT
from drf_hardening.presets.profiles import Options, build_preset
from tests.services import RedisServer, free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
LOGGER = "django.security.DisallowedHost"
#: One record of the text format: time, level, logger, [request id], message.
LINE = re.compile(
    r"^\d{4}-\d\d-\d\d [\d:,]+ WARNING django\.security\.DisallowedHost \[(?P<id>[^\]]+)\] "
    r"(?P<message>.*)$"
)


def disallowed_record(request: Any = None) -> logging.LogRecord:
    """The record Django's ``log_response`` makes for a refused Host."""
    try:
        raise ValueError("Invalid HTTP_HOST header: 'evil.example'.")
    except ValueError as exc:
        error = exc
    record = logging.getLogger(LOGGER).makeRecord(
        LOGGER,
        logging.ERROR,
        __file__,
        1,
        str(error),
        (),
        (type(error), error, error.__traceback__),
        extra={"status_code": 400, "request": request} if request else {"status_code": 400},
    )
    return record


def test_filter_makes_one_warning_line_with_host_and_client(settings: Any) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": 0}
    request = RequestFactory().get("/", HTTP_HOST="evil.example", REMOTE_ADDR="203.0.113.7")
    record = disallowed_record(request)
    assert DisallowedHostFilter().filter(record) is True
    assert (record.levelno, record.levelname) == (logging.WARNING, "WARNING")
    assert record.exc_info is None
    assert record.exc_text is None
    assert record.getMessage() == (
        "Host 'evil.example' is not in ALLOWED_HOSTS (client 203.0.113.7)"
    )
    assert (vars(record)["host"], vars(record)["client_ip"]) == ("evil.example", "203.0.113.7")


def test_json_line_has_the_host_and_client_and_no_traceback() -> None:
    request = RequestFactory().get("/", HTTP_HOST="evil.example", REMOTE_ADDR="203.0.113.7")
    record = disallowed_record(request)
    DisallowedHostFilter().filter(record)
    RedactingFilter().filter(record)
    line = json.loads(JSONFormatter().format(record))
    assert (line["level"], line["host"], line["client_ip"]) == (
        "WARNING",
        "evil.example",
        "203.0.113.7",
    )
    assert "exc_info" not in line
    assert "request" not in line


def test_filter_escapes_and_cuts_the_host() -> None:
    hostile = "evil\x1b[1A\r\nFAKE" + "x" * 5000
    request = RequestFactory().get("/", HTTP_HOST=hostile)
    record = disallowed_record(request)
    DisallowedHostFilter().filter(record)
    message = record.getMessage()
    assert not {"\n", "\r", "\x1b"} & set(message)
    assert "'evil\\x1b[1A\\r\\nFAKExxx" in message
    assert len(vars(record)["host"]) == MAX_HOST_LENGTH + len("...")
    assert len(message) < MAX_HOST_LENGTH + 100


def test_filter_reads_x_forwarded_host_only_when_django_does(settings: Any) -> None:
    factory = RequestFactory()
    request = factory.get("/", HTTP_HOST="api.example.com", HTTP_X_FORWARDED_HOST="evil.example")
    settings.USE_X_FORWARDED_HOST = False
    record = disallowed_record(request)
    DisallowedHostFilter().filter(record)
    assert vars(record)["host"] == "api.example.com"
    settings.USE_X_FORWARDED_HOST = True
    record = disallowed_record(request)
    DisallowedHostFilter().filter(record)
    assert vars(record)["host"] == "evil.example"


def test_filter_without_a_request_drops_only_the_traceback() -> None:
    record = disallowed_record()
    DisallowedHostFilter().filter(record)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == "Invalid HTTP_HOST header: 'evil.example'."


@dataclass
class Captured:
    handler: logging.Handler
    path: Path

    def lines(self) -> list[str]:
        self.handler.flush()
        return self.path.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def captured(tmp_path: Path) -> Iterator[Captured]:
    """The preset's wiring of the DisallowedHost logger, writing text lines to a file."""
    logger = logging.getLogger(LOGGER)
    saved = (logger.handlers[:], logger.filters[:], logger.level, logger.propagate)
    path = tmp_path / "security.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(RequestIDFilter())
    handler.addFilter(RedactingFilter())
    handler.setFormatter(TextFormatter(TEXT_FORMAT))
    logger.handlers = [handler]
    logger.filters = [DisallowedHostFilter()]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    yield Captured(handler, path)
    handler.close()
    logger.handlers, logger.filters, logger.level, logger.propagate = saved


@pytest.fixture
def production_client(settings: Any) -> Client:
    """The production preset's middleware, HTTPS redirect and error views."""
    preset = build_preset(Options(profile="production", allowed_hosts=("api.example.com",)))
    settings.MIDDLEWARE = [name for name, _anchors in preset.middleware]
    settings.ALLOWED_HOSTS = ["api.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    settings.REST_FRAMEWORK = preset.settings["REST_FRAMEWORK"]
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.ROOT_URLCONF = "tests.urls_hardened"
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_bad_host_logs_one_line_with_the_responses_request_id(
    production_client: Client, captured: Captured, secure: bool
) -> None:
    response = production_client.get("/ping/", secure=secure, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]
    [line] = captured.lines()
    match = LINE.match(line)
    assert match, line
    assert match["id"] == response["X-Request-ID"]
    assert match["message"] == "Host 'evil.example' is not in ALLOWED_HOSTS (client 127.0.0.1)"


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_bad_host_400_carries_the_frame_and_csp_headers(
    production_client: Client, secure: bool
) -> None:
    # Issue 17, finding 9: CommonMiddleware answers before XFrameOptionsMiddleware (last in
    # MIDDLEWARE) sees the response; the error pipeline sets both headers itself.
    response = production_client.get("/ping/", secure=secure, HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"


def test_error_headers_follow_the_settings(production_client: Client, settings: Any) -> None:
    settings.X_FRAME_OPTIONS = "sameorigin"
    settings.DRF_HARDENING = {"PROFILE": "production", "CONTENT_SECURITY_POLICY": None}
    response = production_client.get("/ping/", HTTP_HOST="evil.example")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "Content-Security-Policy" not in response


def test_allowed_host_logs_nothing(production_client: Client, captured: Captured) -> None:
    response = production_client.get("/ping/", secure=True, HTTP_HOST="api.example.com")
    assert response.status_code == 200
    assert captured.lines() == []


# --- a real gunicorn on a project configured only by harden(profile="production") ----------


@dataclass
class Served:
    #: The request id of each response, per scheme.
    ids: dict[str, list[str]]
    #: What the application wrote (gunicorn's own lines, which start with "[", left out).
    app_lines: list[str]
    output: str


REQUESTS_PER_SCHEME = 100


def send(port: int, headers: dict[str, str]) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/ping/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Request-ID") or ""
    finally:
        connection.close()


@pytest.fixture(scope="module")
def served(redis_server: RedisServer) -> Iterator[Served]:
    port = free_port()
    directory = Path(tempfile.mkdtemp(prefix="drfh-bad-host-"))
    output = directory / "gunicorn.log"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "tests.hardened_settings",
        "REDIS_URL": redis_server.url,
    }
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1",
        "--error-logfile", "-",
        "django.core.wsgi:get_wsgi_application()",
    ]  # fmt: skip
    with output.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        # A bare TCP connect: an HTTP probe would itself be a request to log.
        wait_for_port(port, timeout=60)
        ids: dict[str, list[str]] = {"http": [], "https": []}
        schemes = {
            "http": {"Host": "evil.example"},
            # Behind the declared proxy (trusted_proxies=1): TLS ended there.
            "https": {
                "Host": "evil.example",
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": "203.0.113.7",
            },
        }
        for scheme, headers in schemes.items():
            for _ in range(REQUESTS_PER_SCHEME):
                status, request_id = send(port, headers)
                assert status == 400
                ids[scheme].append(request_id)
        # Then one good request, which logs nothing at the production levels.
        good = {"Host": "api.example.com", "X-Forwarded-Proto": "https"}
        assert send(port, good)[0] == 200
    finally:
        # Stopped before reading: every record the worker wrote is in the file.
        stop_process(process)
    text = output.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("[")]
    yield Served(ids=ids, app_lines=lines, output=text)
    output.unlink()
    directory.rmdir()


def test_gunicorn_logs_exactly_one_line_per_bad_host_request(served: Served) -> None:
    assert len(served.app_lines) == 2 * REQUESTS_PER_SCHEME, served.output[-3000:]
    assert "Traceback" not in served.output
    assert all(LINE.match(line) for line in served.app_lines), served.app_lines[:3]


@pytest.mark.parametrize(
    ("scheme", "client"), [("http", "127.0.0.1"), ("https", "203.0.113.7")]
)  # fmt: skip
def test_gunicorn_log_lines_carry_the_responses_request_ids(
    served: Served, scheme: str, client: str
) -> None:
    expected = f"Host 'evil.example' is not in ALLOWED_HOSTS (client {client})"
    logged = [
        match["id"]
        for match in map(LINE.match, served.app_lines)
        if match and match["message"] == expected
    ]
    assert len(set(served.ids[scheme])) == REQUESTS_PER_SCHEME
    assert logged == served.ids[scheme]
