"""The request/response pairs shown in docs/walkthrough.md, captured from the project.

Each test makes the requests of one step of the walkthrough and compares them
with its ``docs/snippets/example-*.txt`` file (``DRF_HARDENING_UPDATE_SNIPPETS=1``
rewrites the files).
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tasks.models import Task
from tests.example.conftest import EXAMPLE_PROJECT, PASSWORD, fixed_token
from tests.example.snippets import check_snippet, exchange

pytestmark = pytest.mark.django_db


def rid(step: str) -> dict[str, str]:
    # A fixed request id per request keeps the snippets stable (the middleware echoes it).
    return {"X-Request-ID": f"walkthrough-{step}"}


@pytest.fixture
def token() -> str:
    user = get_user_model().objects.create_user("alice", password=PASSWORD)
    return fixed_token(user, "walkthrough1")


def auth(token: str, step: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}", **rid(step)}


def test_snippet_rate_limit(token: str) -> None:
    client = Client()
    for _ in range(60):  # "tasks": "60/minute"
        assert (
            client.get("/api/tasks/", headers={"Authorization": f"Token {token}"}).status_code
            == 200
        )
    check_snippet("rate-limit", exchange(client, "GET", "/api/tasks/", headers=auth(token, "1")))


def test_snippet_login_throttle(token: str) -> None:
    client = Client()
    wrong = {"username": "alice", "password": "guess-number-n"}
    texts = [exchange(client, "POST", "/api/auth/token/", wrong, rid(f"2{i}")) for i in range(6)]
    # The first failure, then the one that is throttled.
    check_snippet(
        "login-throttle", texts[0] + "\n\n# ... four more wrong guesses ...\n\n" + texts[5]
    )


def test_snippet_cors() -> None:
    client = Client()
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    allowed = exchange(
        client,
        "OPTIONS",
        "/api/tasks/",
        headers={"Origin": "http://localhost:3000", **preflight, **rid("3a")},
    )
    refused = exchange(
        client,
        "OPTIONS",
        "/api/tasks/",
        headers={"Origin": "https://evil.example", **preflight, **rid("3b")},
    )
    check_snippet(
        "cors", allowed + "\n\n# From an origin that is not in CORS_ALLOWED_ORIGINS:\n\n" + refused
    )


def test_snippet_validation(token: str) -> None:
    client = Client()
    bad_title = exchange(
        client, "POST", "/api/tasks/", {"title": "Buy milk\x1b[2J"}, auth(token, "4a")
    )
    unknown = exchange(
        client,
        "POST",
        "/api/tasks/",
        {"title": "Buy milk", "owner": "bob", "is_admin": True},
        auth(token, "4b"),
    )
    check_snippet("validation", bad_title + "\n\n" + unknown)


def test_snippet_errors(token: str) -> None:
    client = Client()
    bob = get_user_model().objects.create_user("bob", password=PASSWORD)
    task = Task.objects.create(created_by=bob, title="Bob private task")
    not_yours = exchange(client, "GET", f"/api/tasks/{task.pk}/", headers=auth(token, "5a"))
    unknown_url = exchange(client, "GET", "/api/nothing-here/", headers=rid("5b"))
    malformed = exchange(client, "POST", "/api/tasks/", '{"title": ', auth(token, "5c"))
    no_token = exchange(client, "GET", "/api/tasks/", headers=rid("5d"))
    check_snippet("errors", "\n\n".join([not_yours, unknown_url, malformed, no_token]))
    assert Task.objects.get(pk=task.pk).title == "Bob private task"


PRODUCTION_CAPTURE = """
import django
django.setup()
from django.test import Client
from tests.example.snippets import exchange
client = Client()
host = {"Host": "api.example.com"}
plain = exchange(client, "GET", "/", headers={**host, "X-Request-ID": "walkthrough-6a"})
secure = exchange(
    client, "GET", "/",
    headers={**host, "X-Forwarded-Proto": "https", "X-Request-ID": "walkthrough-6b"},
)
note = "# The same request over HTTPS (through the proxy, which sets X-Forwarded-Proto):"
print(plain, note, secure, sep="\\n\\n")
"""


def test_snippet_https() -> None:
    # harden() runs when settings.py is imported: the production profile needs its own process.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(EXAMPLE_PROJECT), str(EXAMPLE_PROJECT.parent)]),
        "DJANGO_SETTINGS_MODULE": "taskmanager.settings",
        "DRF_HARDENING_PROFILE": "production",
        "DJANGO_SECRET_KEY": "walkthrough-" + "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DJANGO_TRUSTED_PROXIES": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_CAPTURE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    check_snippet("https", result.stdout)


def test_snippet_logging(token: str) -> None:
    # The lines drf-hardening's console handler writes for a failed login and a throttle.
    security = logging.getLogger("drf_hardening.security")
    console = next(
        h
        for logger in (security, logging.getLogger("drf_hardening"), logging.getLogger())
        for h in logger.handlers
        if h.get_name() == "drf_hardening_console"
    )
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(console.formatter)
    for log_filter in console.filters:
        capture.addFilter(log_filter)
    security.addHandler(capture)
    try:
        client = Client()
        for i in range(6):
            client.post(
                "/api/auth/token/",
                {"username": "alice", "password": f"wrong-{i}"},
                content_type="application/json",
                headers=rid(f"7{i}"),
            )
        client.get("/api/tasks/", headers={"Authorization": "Token " + "0" * 40, **rid("7x")})
    finally:
        security.removeHandler(capture)
    check_snippet("logging", stream.getvalue())


def test_check_snippet_writes_on_update_and_refuses_a_changed_answer(tmp_path: Path) -> None:
    directory = tmp_path / "snippets"
    answer = "HTTP/1.1 429 Too Many Requests\nRetry-After: 17\n"
    check_snippet("throttle", answer, directory, update=True)
    # The seconds left are masked: another run's value still matches.
    check_snippet("throttle", answer.replace("17", "42"), directory, update=False)
    with pytest.raises(AssertionError, match="no longer matches the API"):
        check_snippet("throttle", answer.replace("429", "200"), directory, update=False)
