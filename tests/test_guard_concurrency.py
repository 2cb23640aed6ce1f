"""Issue 17, finding 8: concurrent bad tokens cannot outrun the failed-auth guard.

A project written by the test (``harden(profile="production")``, token
authentication, ``FAILED_AUTH_RATE`` 10/min) is served by gunicorn on a real
redis-server, with 4 sync workers and then with 4 gthread workers of 16 threads.
120 requests with bad tokens from one client are released at once: exactly 10
reach authentication (401), the other 110 are refused before it (429), because
each request that carries credentials reserves its attempt atomically before the
view. A good token from another client is let in and costs its client nothing.

The guard's release on the other topologies (cluster, sentinel, valkey) is here
too: they are processes of their own, like gunicorn.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches

from drf_hardening.throttling import events, redis_store, stores
from tests.e2e.components import Gunicorn
from tests.services import RedisServer
from tests.topologies import (  # noqa: F401 - the fixtures
    record_service,
    redis_cluster_fixture,
    sentinel_set_fixture,
    valkey_server_fixture,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "api.example.com"
ATTEMPTS = 120
LIMIT = 10

SETTINGS = """
import os

from drf_hardening import harden

SECRET_KEY = "k3J9-guard-tests-only-Qm7!vXz2#pL8@wR4$nB6^yT1&hF5*cD0(sG3)aE9"
ROOT_URLCONF = "guard_urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework.authtoken"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SQLITE_PATH"]}}
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ["REDIS_URL"],
}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DRF_HARDENING = {"FAILED_AUTH_RATE": "10/min"}

harden(globals(), profile="production", allowed_hosts=["api.example.com"], trusted_proxies=1)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.TokenAuthentication",
]
"""

URLS = """
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class Me(APIView):
    def get(self, request):
        return Response({"user": request.user.get_username()})


urlpatterns = [path("api/me/", Me.as_view())]
"""

TOKEN = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

user = User.objects.create_user("alice", password="correct-horse-9")
print(Token.objects.create(user=user).key)
"""


def django_admin(env: dict[str, str], directory: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**os.environ, **env},
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> tuple[Path, dict[str, str], str]:
    """The written project, migrated, with one user's token."""
    directory = tmp_path_factory.mktemp("guard")
    (directory / "guard_settings.py").write_text(textwrap.dedent(SETTINGS))
    (directory / "guard_urls.py").write_text(textwrap.dedent(URLS))
    env = {
        "DJANGO_SETTINGS_MODULE": "guard_settings",
        "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT)]),
        "REDIS_URL": redis_server.url,
        "SQLITE_PATH": str(directory / "db.sqlite3"),
    }
    django_admin(env, directory, "migrate", "--noinput")
    # The last line: Django 5.2+ shells print what they imported first.
    token = django_admin(env, directory, "shell", "-c", TOKEN).strip().splitlines()[-1]
    return directory, env, token


@contextlib.contextmanager
def served(project: tuple[Path, dict[str, str], str], gunicorn_args: str) -> Iterator[Gunicorn]:
    directory, env, _ = project
    server = Gunicorn(
        app="django.core.wsgi:get_wsgi_application()",
        # Read by gunicorn itself: the worker class and threads of this run.
        env={**env, "GUNICORN_CMD_ARGS": gunicorn_args},
        chdir=directory,
        workers=4,
    )
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def get(server: Gunicorn, token: str, client_ip: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",  # what the declared proxy sends: TLS ended there
            "X-Forwarded-For": client_ip,
            "Authorization": f"Token {token}",
        }
        connection.request("GET", "/api/me/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def all_at_once(server: Gunicorn, token: str, client_ip: str, n: int) -> Counter[int]:
    """``n`` requests, each on its own connection, released together by a barrier."""
    barrier = threading.Barrier(n)

    def one(_: int) -> int:
        barrier.wait(timeout=60)
        return get(server, token, client_ip)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(one, range(n)))


@pytest.mark.parametrize(
    "gunicorn_args",
    ["--worker-class sync", "--worker-class gthread --threads 16"],
    ids=["4-sync-workers", "4-gthread-workers-x16"],
)
def test_concurrent_bad_tokens_reach_authentication_exactly_limit_times(
    project: tuple[Path, dict[str, str], str], redis_server: RedisServer, gunicorn_args: str
) -> None:
    redis_server.flush()
    with served(project, gunicorn_args) as server:
        statuses = all_at_once(server, "0" * 40, "198.51.100.7", ATTEMPTS)
        assert statuses == {401: LIMIT, 429: ATTEMPTS - LIMIT}
        # Another client's good token: let in, and the guard gave its attempt back.
        good = [get(server, project[2], "203.0.113.9") for _ in range(LIMIT + 5)]
        assert good == [200] * (LIMIT + 5)
        assert get(server, "1" * 40, "203.0.113.9") == 401  # its budget is whole


# --- The release on each topology (tests.topologies) ----------------------------------------

TOPOLOGIES = ["redis_cluster", "sentinel_set", "valkey_server"]


@pytest.fixture(params=TOPOLOGIES)
def topology_store(request: pytest.FixtureRequest, settings: Any) -> Iterator[stores.Store]:
    found = request.getfixturevalue(request.param)
    record_service(request, request.param)
    if hasattr(found, "nodes"):
        setting: dict[str, Any] = {"CLUSTER_NODES": found.nodes[:2]}
    elif hasattr(found, "sentinels"):
        setting = {"SENTINELS": found.sentinels, "SERVICE_NAME": found.service}
    else:
        setting = {"URL": found.url}
    settings.DRF_HARDENING = {"THROTTLE_STORE": setting}
    events._failing.clear()
    yield redis_store.topology_store(caches["default"], setting)
    events._failing.clear()


MIN = 60_000


def test_release_and_pipeline_on_each_topology(topology_store: Any) -> None:
    store = topology_store
    now = 1_000_000
    assert [store.decide("guard", 3, MIN, now, hit=True).allowed for _ in range(3)] == [True] * 3
    store.release("guard", now, MIN, now + 10)  # one given back
    # Many keys, so that on the cluster the two of a pipeline sit in different slots.
    for i in range(20):
        decision = store.decide_releasing(f"user{i}", 5, MIN, now + 20, "guard", now)
        assert decision == (True, 1, MIN)
    assert store.decide("guard", 3, MIN, now + 30, hit=False) == (True, 0, MIN - 30)  # never < 0
    store.client.script_flush()  # on the cluster: every primary's cache
    assert store.decide_releasing("user0", 5, MIN, now + 40, "guard", now) == (True, 2, MIN - 20)
