"""ASGI on real servers: gunicorn with uvicorn workers on a real Redis, and async decisions
on the real Redis Cluster and Sentinel set.

The project (written by the test) is configured by one ``harden(profile="production")``
call; its async views are adrf's, with the library's async throttles.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import drf_hardening
from drf_hardening.throttling import stores
from drf_hardening.throttling.aio import acount
from drf_hardening.throttling.throttles import AnonRateThrottle
from tests.e2e.components import Gunicorn
from tests.e2e.load import run_load
from tests.services import RedisServer
from tests.test_asgi import in_thread
from tests.topologies import redis_cluster_fixture, sentinel_set_fixture  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(drf_hardening.__file__).resolve().parent.parent  # the sources under test
#: What the declared proxy (trusted_proxies=1) sends: TLS ended there, and the client.
PROXIED = {"Host": "api.example.com", "X-Forwarded-Proto": "https"}

SETTINGS = """
import os

from drf_hardening import harden

SECRET_KEY = "k3J9-asgi-tests-only-Qm7!vXz2#pL8@wR4$nB6^yT1&hF5*cD0(sG3)aE9+uI7"
DEBUG = False
ROOT_URLCONF = "asgi_urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ["REDIS_URL"],
}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
harden(
    globals(),
    profile="production",
    allowed_hosts=["api.example.com"],
    trusted_proxies=1,
)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "5/day", "user": "5/day"}
# Django logs an adapted middleware at DEBUG level, and only when DEBUG is on: on here,
# after harden() (which refuses DEBUG under "production"), for that one line.
DEBUG = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "DEBUG"}},
}
"""

URLS = """
from adrf.views import APIView as AsyncAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from django.urls import path

from drf_hardening.throttling import AnonRateThrottle
from drf_hardening.throttling.aio_throttles import AsyncAnonRateThrottle


class AsyncLimited(AsyncAPIView):
    permission_classes = [AllowAny]
    throttle_classes = [AsyncAnonRateThrottle]

    async def get(self, request):
        return Response({"ok": True})


class SyncLimited(APIView):
    # One throttle, as on the async view: with two at the same limit (the preset's anon and
    # user), requests interleaved across workers can be refused by either, so fewer pass.
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("async/", AsyncLimited.as_view()), path("sync/", SyncLimited.as_view())]
"""


@contextlib.contextmanager
def served(directory: Path, redis_server: RedisServer, workers: int) -> Iterator[Gunicorn]:
    """The project under gunicorn with ``workers`` uvicorn workers."""
    directory.mkdir(exist_ok=True)
    (directory / "asgi_settings.py").write_text(textwrap.dedent(SETTINGS))
    (directory / "asgi_urls.py").write_text(textwrap.dedent(URLS))
    env = {
        "DJANGO_SETTINGS_MODULE": "asgi_settings",
        "PYTHONPATH": os.pathsep.join([str(directory), str(SRC), str(ROOT)]),
        "REDIS_URL": redis_server.url,
    }
    server = Gunicorn(
        app="django.core.asgi:get_asgi_application()",
        env=env,
        chdir=directory,
        workers=workers,
        worker_class="uvicorn_worker.UvicornWorker",
    )
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope="module")
def asgi_api(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Any:
    with served(tmp_path_factory.mktemp("asgi"), redis_server, workers=4) as server:
        yield server


def client(ip: str) -> dict[str, str]:
    return {**PROXIED, "X-Forwarded-For": ip}


def test_uvicorn_workers_adapt_no_middleware(asgi_api: Gunicorn) -> None:
    for path in ("/async/", "/sync/"):
        run_load(
            f"{asgi_api.url}{path}",
            total=8,
            concurrency=4,
            headers=lambda i: client(f"192.0.2.{i}"),
        )
    run_load(
        f"{asgi_api.url}/missing/", total=1, concurrency=1, headers=lambda i: client("192.0.2.99")
    )
    log = asgi_api.log_text()
    assert "uvicorn" in log.lower()  # these were uvicorn workers
    assert "Not Found: /missing/" in log  # django.request's records reach this log
    assert "adapted for middleware" not in log


@pytest.mark.parametrize("path", ["/async/", "/sync/"])
def test_four_uvicorn_workers_admit_exactly_the_limit(
    asgi_api: Gunicorn, redis_server: RedisServer, path: str
) -> None:
    redis_server.flush()
    outcomes = run_load(
        f"{asgi_api.url}{path}", total=60, concurrency=12, headers=lambda i: client("198.51.100.7")
    )
    statuses = [outcome.status for outcome in outcomes]
    assert statuses.count(200) == 5  # the limit, across 4 processes
    assert statuses.count(429) == 55  # every other request refused; no 5xx, no failure


def decisions_on(store: dict[str, Any], settings: Any, n: int) -> list[bool]:
    """``n`` async decisions on one key through ``THROTTLE_STORE`` at 3/min."""
    settings.DRF_HARDENING = {"THROTTLE_STORE": store}
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}

    async def decide() -> list[bool]:
        decisions = [await acount(AnonRateThrottle(), "throttle_anon_x") for _ in range(n)]
        return [d is not None and d.allowed for d in decisions]

    assert stores.default_store()[1].startswith("THROTTLE_STORE")
    return in_thread(asyncio.run, decide())


@pytest.mark.redis
def test_async_decisions_on_the_cluster(redis_cluster: Any, settings: Any) -> None:
    store = {"CLUSTER_NODES": redis_cluster.nodes}
    assert decisions_on(store, settings, 4) == [True, True, True, False]


@pytest.mark.redis
def test_async_decisions_on_the_sentinel_set(sentinel_set: Any, settings: Any) -> None:
    store = {"SENTINELS": sentinel_set.sentinels, "SERVICE_NAME": "mymaster"}
    assert decisions_on(store, settings, 4) == [True, True, True, False]
