"""Stacks for the probe: the example (or a broken variant of it) under gunicorn behind nginx.

nginx runs the configuration of docs/deployment.md (``DeployedNginx``); gunicorn
gets the e2e suite's production environment (``production_env``), on the e2e
suite's seeded database (``project``) and the session's Redis. A variant
changes one thing: an environment variable of the example, a settings module
of ``tests/probe/variants`` that imports the example's settings and overrides
one setting, or one line of the nginx configuration.
"""

from __future__ import annotations

import ast
import json
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import conftest as e2e
from tests.e2e.components import EXAMPLE_DIR, ROOT, Gunicorn, static_site
from tests.e2e.conftest import Project, nginx_binary, production_env
from tests.probe import tutorial_project
from tests.probe.components import DeployedNginx
from tests.services import RedisServer

WSGI_APP = "taskmanager.wsgi:application"
TASKS = "/api/tasks/"
LOGIN = "/api/auth/token/"
#: The tutorial's front end (its CORS_ALLOWED_ORIGINS) and login URL.
TUTORIAL_ORIGIN = "https://app.example.com"
TUTORIAL_LOGIN = tutorial_project.LOGIN
#: A create request of the example's tasks, for the input checks.
TASK_TEMPLATE = {"title": "Probe task", "description": "Created and deleted by the probe."}


STACK_FIXTURES = {"hardened", "stacks", "session_stacks"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Tests on real stacks: gunicorn, nginx and the Redis their throttles count in.
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and STACK_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.redis)


@dataclass
class Stack:
    gunicorn: Gunicorn
    nginx: DeployedNginx
    token: str

    def url(self, path: str = TASKS) -> str:
        return f"{self.nginx.https_url}{path}"


def demo_password(username: str) -> str:
    """A demo user's published password, read from seed_demo's ``DEMO_USERS``."""
    source = (EXAMPLE_DIR / "tasks" / "management" / "commands" / "seed_demo.py").read_text()
    (users,) = [
        ast.literal_eval(node.value)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DEMO_USERS"
    ]
    return str(users[username][0])


def settings_path() -> str:
    """PYTHONPATH for a settings module of tests/probe that imports the example's."""
    return f"{ROOT}:{EXAMPLE_DIR}:{ROOT / 'benchmarks'}"


@pytest.fixture(scope="session")
def front_end() -> Iterator[str]:
    """The origin of the API's front end (the only one CORS allows)."""
    with static_site("127.0.0.1") as origin:
        yield origin


#: The e2e suite's seeded database (``migrate`` and ``seed_demo`` run once a session).
project = e2e.project


class Stacks:
    """Starts stacks on the e2e suite's database and stops them by PID."""

    def __init__(self, seeded: Project) -> None:
        self.project = seeded
        self.binary = nginx_binary()
        #: What this object started, and so stops: a proxy() shares another's gunicorn.
        self.processes: list[DeployedNginx | Gunicorn] = []

    def start(
        self,
        env: Mapping[str, str],
        *,
        settings: str | None = None,
        database_url: str | None = None,
        **nginx: Any,
    ) -> Stack:
        """gunicorn (2 workers) with ``env``, and the documented nginx (``nginx``: a variant)."""
        full_env = {"DATABASE_URL": database_url or self.project.database_url, **env}
        if settings:
            full_env |= {"DJANGO_SETTINGS_MODULE": settings, "PYTHONPATH": settings_path()}
        gunicorn = Gunicorn(WSGI_APP, full_env, workers=2)
        stack = Stack(gunicorn, DeployedNginx(gunicorn.port, self.binary, **nginx), "")
        stack.token = self.project.token
        self.processes += [gunicorn, stack.nginx]
        gunicorn.start()
        stack.nginx.start()
        return stack

    def proxy(self, upstream: Stack, **nginx: Any) -> Stack:
        """Another nginx (a variant) in front of ``upstream``'s gunicorn."""
        proxy = DeployedNginx(upstream.gunicorn.port, self.binary, **nginx)
        self.processes.append(proxy)
        proxy.start()
        return Stack(upstream.gunicorn, proxy, upstream.token)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.cleanup()
        self.processes.clear()


@pytest.fixture(scope="session")
def session_stacks(project: Project) -> Iterator[Stacks]:
    stacks = Stacks(project)
    yield stacks
    stacks.stop_all()


@pytest.fixture
def stacks(project: Project) -> Iterator[Stacks]:
    """Stacks that stop when the test ends (each broken variant lives for one test)."""
    stacks = Stacks(project)
    yield stacks
    stacks.stop_all()


@pytest.fixture
def fresh_quotas(redis_server: RedisServer) -> RedisServer:
    """Every throttle bucket emptied: each probe run starts with full quotas."""
    redis_server.flush()
    return redis_server


def hardened_env(redis: RedisServer, origin: str, **overrides: str) -> dict[str, str]:
    return production_env(REDIS_URL=redis.url, DJANGO_CORS_ALLOWED_ORIGINS=origin, **overrides)


@pytest.fixture(scope="session")
def hardened(session_stacks: Stacks, redis_server: RedisServer, front_end: str) -> Stack:
    """The example under the production profile, behind nginx as docs/deployment.md says."""
    return session_stacks.start(hardened_env(redis_server, front_end))


def full_probe_args(stack: Stack, origin: str, template: Path, *extra: str) -> list[str]:
    """Every option, so that no check is skipped for want of one."""
    return [
        "--token", stack.token,
        "--cafile", str(stack.nginx.ca_file),
        "--http-url", f"{stack.nginx.http_url}{TASKS}",
        "--origin", origin,
        "--login-url", LOGIN,
        "--username", "alice",
        "--post-json", str(template),
        *extra,
    ]  # fmt: skip


@pytest.fixture(scope="session")
def task_template() -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix="drfh-probe-"))
    path = directory / "task.json"
    path.write_text(json.dumps(TASK_TEMPLATE))
    yield path
    shutil.rmtree(directory, ignore_errors=True)


def tutorial_env(redis: RedisServer) -> dict[str, str]:
    """The tutorial project's settings, with the hardened stack's rates, Redis and secrets."""
    hardened = production_env(REDIS_URL=redis.url)
    keep = ("DJANGO_SECRET_KEY", "EXAMPLE_THROTTLE_RATES", "REDIS_URL")
    return {name: hardened[name] for name in keep}


def start_tutorial(stacks: Stacks, redis: RedisServer, directory: Path) -> Stack:
    """The tutorial project behind the same nginx, on a copy of the seeded database.

    A copy: DRF's login creates a plain-text token for alice there, which the
    shared database of the other stacks has no business holding.
    """
    database = directory / "tutorial.sqlite3"
    shutil.copyfile(stacks.project.database_url.removeprefix("sqlite:///"), database)
    return stacks.start(
        tutorial_env(redis),
        settings="tests.probe.tutorial_project.settings",
        database_url=f"sqlite:///{database}",
    )


def tutorial_probe_args(stack: Stack, template: Path) -> list[str]:
    """The same options as the hardened stack's, with the tutorial's front end and login."""
    return [
        "--cafile", str(stack.nginx.ca_file),
        "--http-url", f"{stack.nginx.http_url}{TASKS}",
        "--origin", TUTORIAL_ORIGIN,
        "--login-url", TUTORIAL_LOGIN,
        "--username", "alice",
        "--password", demo_password("alice"),
        "--post-json", str(template),
    ]  # fmt: skip
