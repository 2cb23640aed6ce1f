"""ASGI in-process: Django's AsyncClient, adrf views, the async guard and async decisions."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import redis
from asgiref.sync import async_to_sync
from django.core.cache import cache
from django.test import AsyncClient

from drf_hardening import harden
from drf_hardening.throttling import aio, events, stores
from drf_hardening.throttling.aio import acount
from drf_hardening.throttling.guard import FailedAuthThrottle
from drf_hardening.throttling.throttles import UserRateThrottle
from tests.services import RedisServer, free_port

pytestmark = [pytest.mark.urls("tests.urls_asgi"), pytest.mark.django_db]
IP = "198.51.100.7"
T = TypeVar("T")


def preset_middleware() -> list[str]:
    """What harden(profile="production") puts in MIDDLEWARE."""
    namespace: dict[str, Any] = {"DEBUG": False}
    harden(namespace, profile="production", allowed_hosts=["testserver"])
    return list(namespace["MIDDLEWARE"])


class ClientAt(AsyncClient):
    """Django's ``AsyncClient``, connecting from ``ip`` (the ASGI scope's ``client``)."""

    def __init__(self, ip: str) -> None:
        super().__init__()
        self.ip = ip

    def _base_scope(self, **request: Any) -> dict[str, Any]:
        scope: dict[str, Any] = super()._base_scope(**request)  # type: ignore[misc]
        scope["client"] = [self.ip, 0]
        return scope


def in_thread(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a thread of its own: the session's Playwright browser may own
    this thread's event loop, where neither ``asyncio.run`` nor ``async_to_sync`` can run."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


def aget(path: str, credentials: str | None = None, ip: str = IP) -> Any:
    """One GET through Django's async handler (a new AsyncClient: a new middleware chain)."""
    headers = {"Authorization": credentials} if credentials else {}
    return in_thread(lambda: async_to_sync(ClientAt(ip).get)(path, headers=headers))


def statuses(path: str, n: int, **kwargs: Any) -> list[int]:
    return [aget(path, **kwargs).status_code for _ in range(n)]


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(autouse=True)
def clean(settings: Any) -> None:
    cache.clear()
    events._failing.clear()
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min", "uploads": "2/min"},
    }


def adapted_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "adapted for middleware" in r.getMessage()]


@pytest.mark.parametrize("path", ["/async/user/", "/user/"])
def test_no_preset_middleware_is_adapted_under_asgi(settings, caplog, path) -> None:
    settings.DEBUG = True  # Django logs each adaptation only under DEBUG
    settings.MIDDLEWARE = preset_middleware()
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        response = aget(path)
    assert response.status_code == 200
    assert response["X-Request-ID"]
    assert adapted_lines(caplog) == []


def test_a_sync_only_middleware_is_seen_adapted(settings, caplog) -> None:
    # What the test above would see if one of the library's middleware were sync-only.
    settings.DEBUG = True
    settings.MIDDLEWARE = [*preset_middleware(), "tests.test_asgi.SyncOnlyMiddleware"]
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        assert aget("/async/user/").status_code == 200
    lines = adapted_lines(caplog)
    assert lines == [
        "Asynchronous handler adapted for middleware tests.test_asgi.SyncOnlyMiddleware."
    ]


class SyncOnlyMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)


def test_csp_middleware_adds_the_policy_under_asgi(settings) -> None:
    settings.MIDDLEWARE = ["drf_hardening.middleware.ContentSecurityPolicyMiddleware"]
    settings.DRF_HARDENING = {"CONTENT_SECURITY_POLICY": "default-src 'none'"}
    assert aget("/async/user/")["Content-Security-Policy"] == "default-src 'none'"


@pytest.mark.parametrize(
    "path", ["/async/user/", "/async/anon/", "/async/sync-throttle/", "/user/"]
)
def test_async_views_are_throttled_with_headers(path) -> None:
    responses = [aget(path) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[0]["RateLimit"].startswith('"')
    assert "Retry-After" in responses[3]


def test_async_scoped_throttle_and_a_view_without_scope() -> None:
    assert statuses("/async/scoped/", 3) == [200, 200, 429]
    assert statuses("/async/unscoped/", 4) == [200] * 4


@pytest.mark.redis
def test_async_and_sync_views_count_on_the_same_redis_key(redis_cache) -> None:
    assert statuses("/async/user/", 2) + statuses("/user/", 2) == [200, 200, 200, 429]
    # The first async decision loaded nothing: the script was on the server already, or
    # EVAL loaded it; a flushed script cache is loaded again on the next decision.
    redis.Redis.from_url(redis_cache.url).script_flush()
    assert statuses("/async/user/", 1, ip="192.0.2.1") == [200]


@pytest.mark.redis
def test_async_decisions_on_a_throttle_store_url(redis_server: RedisServer, settings) -> None:
    redis_server.flush()
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": redis_server.url}}
    assert statuses("/async/user/", 4) == [200, 200, 200, 429]
    keys = redis.Redis.from_url(redis_server.url).keys("drfh:throttle:*")
    assert keys == [f"drfh:throttle:{{throttle_user_{IP}}}".encode()]


@pytest.mark.redis
def test_django_redis_decides_in_a_worker_thread(redis_server: RedisServer, settings) -> None:
    redis_server.flush()
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_server.url}
    }
    assert statuses("/async/user/", 4) == [200, 200, 200, 429]


@pytest.mark.django_db(transaction=True)  # the table must be visible to other threads
def test_database_cache_decides_in_a_worker_thread(settings) -> None:
    from django.core.management import call_command

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "t"}
    }
    call_command("createcachetable", verbosity=0)
    assert statuses("/async/user/", 4) == [200, 200, 200, 429]


@pytest.mark.parametrize(("fail_open", "expected"), [(True, 200), (False, 503)])
def test_async_store_outage_follows_fail_open_and_logs_once(
    settings, caplog, fail_open, expected
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": dead}, "THROTTLE_FAIL_OPEN": fail_open}
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert statuses("/async/user/", 3) == [expected] * 3
    warned = [r for r in caplog.records if getattr(r, "event", "") == "throttle_store_unavailable"]
    assert len(warned) == 1


@pytest.mark.redis
def test_async_store_recovers_and_says_so_once(redis_server: RedisServer, settings, caplog):
    redis_server.ensure_running()
    redis_server.flush()  # another test may have spent this client's quota on this server
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": redis_server.url}}
    events.report_failure(
        f"THROTTLE_STORE (standalone 127.0.0.1:{redis_server.port})", "down (test)"
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert statuses("/async/user/", 2) == [200, 200]
    assert [getattr(r, "event", "") for r in caplog.records] == ["throttle_store_recovered"]
    assert not events.failing


def test_async_malformed_rate_is_decided_by_fail_open(settings) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "3/fortnight"}}
    assert statuses("/async/user/", 4) == [200] * 4


# --- one client per event loop ----------------------------------------------------------


@pytest.mark.redis
def test_one_client_per_event_loop_and_none_of_a_closed_loop(
    redis_server: RedisServer, settings
) -> None:
    redis_server.ensure_running()
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": redis_server.url}}
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "10/min"}}
    store, _ = stores.default_store()

    async def twice() -> tuple[Any, Any, list[Any]]:
        await acount(UserRateThrottle(), "k")
        first = aio.async_twin(store)  # type: ignore[arg-type]
        await acount(UserRateThrottle(), "k")
        closed = [loop for loop in aio._clients if loop.is_closed()]
        return first, aio.async_twin(store), closed  # type: ignore[arg-type]

    a, b, _ = in_thread(asyncio.run, twice())
    assert a is b  # the same loop: the same client
    c, _, closed = in_thread(asyncio.run, twice())
    assert c is not a
    assert c.client is not a.client
    assert closed == []  # the first loop's client was dropped when the second came


def test_guard_throttle_counts_the_same_from_async_code() -> None:
    throttle = FailedAuthThrottle()
    decision = in_thread(asyncio.run, acount(throttle, "throttle_failed_auth_x"))
    assert decision is not None
    assert decision.used == 1


@pytest.mark.redis
def test_two_stores_of_one_configuration_share_the_loops_client(
    redis_server: RedisServer, settings
) -> None:
    from drf_hardening.throttling.redis_store import topology_store

    topology = {"URL": redis_server.url}

    async def twins() -> tuple[Any, Any]:
        first = topology_store(cache, topology)
        second = topology_store(cache, topology)
        return aio.async_twin(first), aio.async_twin(second)

    first, second = in_thread(asyncio.run, twins())
    assert first is not second
    assert first.client is second.client


@pytest.mark.redis
def test_async_windows_follow_the_replaceable_timer(redis_cache, monkeypatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(UserRateThrottle, "timer", lambda self: now[0])
    assert statuses("/async/user/", 4) == [200, 200, 200, 429]
    now[0] += 59
    assert statuses("/async/user/", 1) == [429]
    now[0] += 2  # the 1-minute window has closed
    assert statuses("/async/user/", 1) == [200]
