"""Fixtures of the end-to-end suite: the example project under gunicorn behind nginx.

Every test here talks HTTP to real processes; none of them uses Django's test
client or this pytest process's settings. The processes get their
configuration the way a deployment does, through the environment variables of
the example project (see example_project/taskmanager/settings.py).
"""

from __future__ import annotations

import importlib.util
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.components import Gunicorn, Nginx, seed_example, static_site
from tests.services import RedisServer, missing_service

WSGI_APP = "taskmanager.wsgi:application"
#: Anonymous requests one client address may make (EXAMPLE_THROTTLE_RATES below).
ANON_RATE_LIMIT = 20
#: Every module here sets ``pytestmark = E2E_MARKS``: its tests run against stacks whose
#: throttles count in a real Redis.
E2E_MARKS = [pytest.mark.e2e, pytest.mark.redis]


def nginx_binary() -> str:
    binary = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if not binary:
        missing_service("nginx", "apt-get install -y nginx")
    assert binary is not None
    return binary


def require_example_group() -> None:
    for package in ("gunicorn", "trustme"):
        if importlib.util.find_spec(package) is None:
            missing_service(package, "pip install --group example")


@dataclass
class Stack:
    """The example API as deployed: gunicorn behind nginx, which terminates TLS."""

    gunicorn: Gunicorn
    nginx: Nginx
    token: str

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


@dataclass
class Project:
    """A migrated and seeded SQLite database of the example project."""

    database_url: str
    token: str


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DRF_HARDENING_PROFILE": "production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_TRUSTED_PROXIES": "1",
        "DRF_HARDENING_THROTTLE_FAIL_OPEN": "1",
        "EXAMPLE_THROTTLE_RATES": f"tasks=50/day,user=100000/day,anon={ANON_RATE_LIMIT}/hour",
    }
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def project() -> Iterator[Project]:
    """Run ``migrate`` and ``seed_demo`` once; every gunicorn of the session shares the file."""
    require_example_group()
    directory = Path(tempfile.mkdtemp(prefix="drfh-e2e-db-"))
    database_url = f"sqlite:///{directory}/db.sqlite3"
    try:
        # A failed migrate or seed_demo raises with the command's output: the suite errors.
        yield Project(database_url, seed_example(database_url))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def make_stack(project: Project) -> Iterator[Callable[..., Stack]]:
    """Start gunicorn (``workers`` of them) and nginx in front; stop both at session end."""
    binary = nginx_binary()
    started: list[Stack] = []

    def make(env: Mapping[str, str], workers: int = 2) -> Stack:
        gunicorn = Gunicorn(
            WSGI_APP, {"DATABASE_URL": project.database_url, **env}, workers=workers
        )
        started.append(Stack(gunicorn, Nginx(gunicorn.port, binary), project.token))
        gunicorn.start()
        started[-1].nginx.start()
        return started[-1]

    yield make
    for stack in started:
        stack.nginx.cleanup()
        stack.gunicorn.cleanup()


@pytest.fixture(scope="session")
def allowed_origin() -> Iterator[str]:
    with static_site("127.0.0.1") as origin:
        yield origin


@pytest.fixture(scope="session")
def disallowed_origin() -> Iterator[str]:
    with static_site("localhost") as origin:
        yield origin


@pytest.fixture(scope="session")
def production_stack(
    make_stack: Callable[..., Stack], redis_server: RedisServer, allowed_origin: str
) -> Stack:
    """Four workers, production profile, Redis throttle store, one trusted proxy (nginx)."""
    env = production_env(REDIS_URL=redis_server.url, DJANGO_CORS_ALLOWED_ORIGINS=allowed_origin)
    return make_stack(env, workers=4)


@pytest.fixture
def stack(production_stack: Stack, redis_server: RedisServer) -> Stack:
    """The production stack with every throttle bucket emptied."""
    redis_server.ensure_running()  # another test of the session may have stopped it
    redis_server.flush()
    production_stack.gunicorn.assert_running()
    return production_stack
