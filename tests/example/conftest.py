"""Fixtures of the example project's tests (run with ``--ds=taskmanager.settings``)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from drf_hardening.tokens import format, issue_token
from drf_hardening.tokens.models import AuthToken
from tests.services import free_port, stop_process, wait_for_port

if os.environ.get("DJANGO_SETTINGS_MODULE") != "taskmanager.settings":
    # These tests need the example project: `PYTHONPATH=example_project pytest tests/example
    # --ds=taskmanager.settings` (tox -e example). Under the suite's own settings they
    # are not collected, so that a plain `pytest` does not fail on `import tasks`.
    collect_ignore_glob = ["*"]

PASSWORD = "a-long-test-passphrase-83"
#: How seed_demo's token looks (drf_hardening.tokens.format.scanner_regex("drfh")).
TOKEN_PATTERN = format.scanner_regex("drfh")


def fixed_token(user: Any, public_id: str, name: str = "fixed") -> str:
    """A live token of ``user`` with a value fixed by ``public_id`` (12 letters or digits).

    For what needs the same token on every run (the walkthrough's snippets) or
    after every example (schemathesis, whose logout examples revoke it): the row
    is created, or made live again.
    """
    body = f"drfh_{public_id}_{(public_id * 4)[: format.SECRET_LENGTH]}"
    token = body + format.checksum(body)
    AuthToken.objects.update_or_create(
        public_id=public_id,
        defaults={
            "user": user,
            "digest": format.digest(token.rsplit("_", 1)[1]),
            "name": name,
            "expires": None,
            "revoked": None,
        },
    )
    return token


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1,000,000 rounds are the point in production and minutes here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The throttles count in the cache: each test starts with no requests counted.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client(db: None) -> Callable[[str], APIClient]:
    """A client signed in (with a token) as a new user of that name."""

    def make(username: str) -> APIClient:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user)[1]}")
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def alice(make_client: Callable[[str], APIClient]) -> APIClient:
    return make_client("alice")


@pytest.fixture
def bob(make_client: Callable[[str], APIClient]) -> APIClient:
    return make_client("bob")


@pytest.fixture
def alice_task(alice: Any) -> Any:
    from tasks.models import Task  # the example project is importable only under its settings

    return Task.objects.create(created_by=alice.user, title="Alice task", description="private")


EXAMPLE_PROJECT = Path(__file__).resolve().parents[2] / "example_project"


@dataclass
class DemoServer:
    """``make demo`` on a free port: migrate, seed_demo, runserver; stopped by PID."""

    url: str
    token: str
    seed_output: str
    process: subprocess.Popen[bytes]
    log: Path


def demo_environment(database: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DRF_HARDENING_PROFILE", "EXAMPLE_", "REDIS_URL"))
    }
    env.update(
        PYTHONPATH=str(EXAMPLE_PROJECT),
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_SETTINGS_MODULE="taskmanager.settings",
        **extra,
    )
    return env


@contextlib.contextmanager
def serve_demo(directory: Path, **overrides: str) -> Iterator[DemoServer]:
    """The example as ``make demo`` serves it (migrate, seed_demo, runserver), on a free port."""
    env = demo_environment(directory / "db.sqlite3", **overrides)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    manage = [sys.executable, str(EXAMPLE_PROJECT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, timeout=120)
    seeded = subprocess.run(
        [*manage, "seed_demo", "--base-url", url],
        env=env, check=True, timeout=120, capture_output=True, text=True,
    )  # fmt: skip
    token = re.search(rf"Token:\s+({TOKEN_PATTERN})", seeded.stdout)
    assert token, seeded.stdout
    log = directory / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for_port(port, timeout=30)
        yield DemoServer(url, token.group(1), seeded.stdout, process, log)
    finally:
        stop_process(process)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with serve_demo(tmp_path_factory.mktemp("demo")) as server:
        yield server
