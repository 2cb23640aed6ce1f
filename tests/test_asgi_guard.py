"""FailedAuthGuardMiddleware under ASGI: the same steps as the sync path, counted on the loop."""

from __future__ import annotations

import struct
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from django.contrib.auth.models import User

from drf_hardening.throttling import aio, counting, events, stores
from drf_hardening.throttling.guard import FailedAuthThrottle
from tests.services import RedisServer, free_port
from tests.test_asgi import basic, clean, statuses  # noqa: F401 - clean: the autouse fixture

pytestmark = [pytest.mark.urls("tests.urls_asgi"), pytest.mark.django_db]


@pytest.fixture
def guarded(settings: Any) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min"}


def test_async_guard_refuses_after_the_failures(guarded) -> None:
    wrong = basic("alice", "wrong")
    assert statuses("/async/private/", 3, credentials=wrong) == [401, 401, 429]
    assert statuses("/async/private/", 1, credentials=wrong, ip="192.0.2.1") == [401]


def test_async_guard_counts_nothing_without_credentials(guarded) -> None:
    assert statuses("/async/private/", 3) == [401] * 3  # Basic's challenge, never counted


def test_async_guard_off_when_the_rate_is_none(guarded, settings) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": None}
    assert statuses("/async/private/", 3, credentials=basic("a", "b")) == [401] * 3


@pytest.mark.parametrize(("fail_open", "expected"), [(True, 401), (False, 503)])
def test_async_guard_with_its_store_down(guarded, settings, fail_open, expected) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.DRF_HARDENING = {
        "FAILED_AUTH_RATE": "2/min",
        "THROTTLE_STORE": {"URL": dead},
        "THROTTLE_FAIL_OPEN": fail_open,
    }
    assert statuses("/async/private/", 3, credentials=basic("a", "b")) == [expected] * 3


@pytest.fixture
def alice(transactional_db: None, settings: Any) -> str:
    # Committed: the async client authenticates in a worker thread, on its own connection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    User.objects.create_user("alice", password="correct-horse-9")
    return basic("alice", "correct-horse-9")


def failed_auth_count(url: str) -> int:
    """What the guard's counter holds for the test client, on the Redis at ``url``."""
    client = redis.Redis.from_url(url)
    (key,) = client.keys("drfh:throttle:{throttle_failed_auth_*")
    value = client.get(key)
    assert isinstance(value, bytes)
    return int(struct.unpack(">dd", value)[1])


@pytest.mark.redis
@pytest.mark.parametrize("path", ["/async/private/", "/async/user/"])
def test_async_guard_gives_a_success_back(
    guarded, settings, alice: str, redis_server: RedisServer, path: str
) -> None:
    # A success's reserved attempt goes back after the response (an async throttle does not
    # carry it, as the sync ones do), on redis.asyncio: successes never use up the budget.
    redis_server.flush()
    settings.DRF_HARDENING = {
        "FAILED_AUTH_RATE": "2/min",
        "THROTTLE_STORE": {"URL": redis_server.url},
    }
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": None}}
    assert statuses(path, 4, credentials=alice) == [200] * 4
    assert failed_auth_count(redis_server.url) == 0
    assert statuses(path, 3, credentials=basic("alice", "wrong")) == [401, 401, 429]
    assert failed_auth_count(redis_server.url) == 2


def test_async_guard_gives_a_success_back_on_locmem(guarded, alice: str) -> None:
    assert statuses("/async/private/", 4, credentials=alice) == [200] * 4
    wrong = basic("alice", "wrong")
    assert statuses("/async/private/", 3, credentials=wrong) == [401, 401, 429]


def test_async_release_outage_is_logged_never_raised(
    guarded, settings, alice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any) -> None:
        raise ConnectionError("store gone")

    monkeypatch.setattr(stores.LocMemStore, "release", down)
    assert statuses("/async/private/", 1, credentials=alice) == [200]
    assert events._failing  # one outage episode, opened by the failed release


@pytest.mark.redis
def test_async_release_of_a_closed_window_sends_nothing(
    redis_server: RedisServer, settings
) -> None:
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"URL": redis_server.url}}
    store, name = counting.store_of(FailedAuthThrottle())
    # Counted in the window [0 ms, 1000 ms); the guard's clock says 5 s: nothing to give back.
    reservation = counting.Reservation(store, name, "k", 0, 1000, lambda: 5.0)
    client = redis.Redis.from_url(redis_server.url)
    client.config_resetstat()
    async_to_sync(aio.arelease)(reservation)
    assert "cmdstat_evalsha" not in client.info("commandstats")
