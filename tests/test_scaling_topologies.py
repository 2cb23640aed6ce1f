"""THROTTLE_STORE on a real Redis Cluster, Sentinel set and Valkey server (tests.topologies)."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest
import redis
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.authtoken.models import Token

from drf_hardening import throttling
from drf_hardening.throttling import events, redis_store, stores
from drf_hardening.throttling import topology as topology_module
from drf_hardening.throttling.guard import FailedAuthGuardMiddleware
from tests.topologies import (  # noqa: F401 - the fixtures
    hammer,
    record_service,
    redis_cluster_fixture,
    sentinel_set_fixture,
    valkey_server_fixture,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.urls("tests.urls_throttling"),
    pytest.mark.django_db,
]
TOPOLOGIES = ["redis_cluster", "sentinel_set", "valkey_server"]
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"


def store_setting(topology: Any) -> dict[str, Any]:
    if hasattr(topology, "nodes"):
        return {"CLUSTER_NODES": topology.nodes[:2]}  # two seeds find all six nodes
    if hasattr(topology, "sentinels"):
        return {"SENTINELS": topology.sentinels, "SERVICE_NAME": topology.service, "DB": 0}
    return {"URL": topology.url}


def counters(topology: Any) -> list[bytes]:
    """Every throttle key on the topology's primaries, read with a client of its own."""
    if hasattr(topology, "nodes"):
        client = topology.client()
        found: list[bytes] = client.keys("drfh:throttle:*", target_nodes=client.PRIMARIES)
        return sorted(found)
    port = getattr(topology, "primary_port", None) or topology.port
    keys: Any = redis.Redis(port=port).keys("drfh:throttle:*")
    return sorted(keys)


@pytest.fixture(params=TOPOLOGIES)
def topology(request: pytest.FixtureRequest, settings: Any) -> Any:
    found = request.getfixturevalue(request.param)
    record_service(request, request.param)
    settings.DRF_HARDENING = {"THROTTLE_STORE": store_setting(found)}
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    events._failing.clear()
    yield found
    events._failing.clear()


class Clock:
    now = 1_000_000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    value = Clock()
    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", lambda self: value.now)
    monkeypatch.setattr(FailedAuthGuardMiddleware, "timer", lambda self: value.now)
    return value


def test_store_is_the_topologys(topology: Any) -> None:
    store, name = stores.default_store()
    assert isinstance(store, redis_store.RedisStore)
    assert name.startswith("THROTTLE_STORE (")
    described = topology_module.store_mode()
    if hasattr(topology, "nodes"):
        assert type(store.client).__name__ == "RedisCluster"
        assert described.endswith(": cluster with 3 primaries")
    elif hasattr(topology, "sentinels"):
        assert described.endswith(f": sentinel primary at 127.0.0.1:{topology.primary_port}")
    else:
        assert described.endswith(f": standalone 127.0.0.1:{topology.port}")


def test_many_clients_no_failure_on_any_slot(topology: Any, client: Client, caplog) -> None:
    # On one cluster node addressed as a server, most of these would fail with MOVED.
    codes = [client.get("/user/", REMOTE_ADDR=f"198.51.100.{i}").status_code for i in range(40)]
    assert codes == [200] * 40
    assert not events.failing
    assert len(counters(topology)) == 40


def test_limit_is_exact_and_counted_on_the_topology(topology: Any, client: Client) -> None:
    assert [client.get("/user/").status_code for _ in range(5)] == [200] * 3 + [429] * 2
    assert counters(topology) == [b"drfh:throttle:{throttle_user_127.0.0.1}"]


def test_spoofed_xff_gets_no_new_bucket(topology: Any, client: Client) -> None:
    codes = [
        client.get("/user/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
        for i in range(5)
    ]
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    assert counters(topology) == [b"drfh:throttle:{throttle_user_198.51.100.7}"]


def test_five_minute_rate_means_five_minutes(topology, client, settings, clock) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "2/5m"}}
    assert [client.get("/user/").status_code for _ in range(3)] == [200, 200, 429]
    clock.now += 299.9
    assert client.get("/user/").status_code == 429
    clock.now += 0.1
    assert client.get("/user/").status_code == 200


def test_guard_on_each_topology(topology: Any, client: Client, settings, clock) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GUARD]
    settings.DRF_HARDENING = {**settings.DRF_HARDENING, "FAILED_AUTH_RATE": "3/min"}
    user = User.objects.create_user("alice", password="correct-horse-9")
    token = Token.objects.create(user=user).key
    bad = [client.get("/private/", HTTP_AUTHORIZATION="Token wrong").status_code for _ in range(4)]
    assert bad == [401, 401, 401, 429]
    assert client.get("/private/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 429


def test_login_throttle_on_each_topology(topology: Any, client: Client, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    User.objects.create_user("alice", password="correct-horse-9")
    codes = [
        client.post("/login/", {"username": "alice", "password": "x"}, REMOTE_ADDR=f"192.0.2.{i}")
        for i in range(6)
    ]
    assert [r.status_code for r in codes] == [400] * 5 + [429]
    # The account's window is spent, for every IP, even with the right password.
    answer = client.post(
        "/login/", {"username": "alice", "password": "correct-horse-9"}, REMOTE_ADDR="192.0.2.99"
    )
    assert answer.status_code == 429


def test_exact_under_concurrent_processes(topology: Any) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(4)
    results = context.Queue()
    args = (store_setting(topology), barrier, 10, results)
    workers = [context.Process(target=hammer, args=args) for _ in range(4)]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(counts) == 5  # 40 attempts on one key from 4 processes, 5/day: exactly 5
