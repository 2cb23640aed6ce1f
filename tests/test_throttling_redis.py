"""The throttles on a real redis-server: atomicity, round trips, memory, outages."""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import struct
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import caches
from django.http import HttpRequest
from django.test import Client
from rest_framework.request import Request

from drf_hardening import throttling
from drf_hardening.throttling import events, redis_store, stores
from tests.services import RedisServer

pytestmark = [
    pytest.mark.redis,
    pytest.mark.urls("tests.urls_throttling"),
    pytest.mark.django_db,
]


@pytest.fixture
def server(redis_cache: RedisServer, settings: Any) -> Iterator[RedisServer]:
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "3/min"},
    }
    events._failing.clear()
    yield redis_cache
    events._failing.clear()


def raw(server: RedisServer) -> redis.Redis:
    return redis.Redis.from_url(server.url)


def command_calls(client: redis.Redis) -> dict[str, int]:
    stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}


def anonymous_request(ip: str = "198.51.100.7") -> Request:
    django_request = HttpRequest()
    django_request.META["REMOTE_ADDR"] = ip
    return Request(django_request)


def statuses(client: Client, n: int) -> list[int]:
    return [client.get("/user/").status_code for _ in range(n)]


def client_commands(server: RedisServer, action: Any) -> list[str]:
    """The commands clients sent while ``action`` ran (MONITOR), scripts' own left out."""
    marker = raw(server)
    marker.ping()  # connected (and its HELLO sent) before MONITOR starts
    with raw(server).monitor() as monitor:  # type: ignore[no-untyped-call]
        action()
        marker.echo("end-of-action")
        commands: list[str] = []
        while True:
            item = monitor.next_command()
            if item["command"] == "ECHO end-of-action":
                return commands
            if item["client_type"] != "lua":
                commands.append(item["command"].split()[0])


def test_one_round_trip_per_decision(server: RedisServer) -> None:
    throttle = throttling.AnonRateThrottle()
    throttle.allow_request(anonymous_request(), None)  # type: ignore[arg-type]  # connect, load

    def decide_ten_times() -> None:  # 2 more allowed, then 8 denied
        for _ in range(10):
            throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]

    observer = raw(server)
    observer.config_resetstat()
    assert client_commands(server, decide_ten_times) == ["EVALSHA"] * 10
    assert command_calls(observer)["evalsha"] == 10  # what INFO commandstats says too


def test_redis_client_is_reused(server: RedisServer, client: Client) -> None:
    redis_store._clients.clear()
    statuses(client, 3)
    assert len(redis_store._clients) == 1
    (redis_client,) = redis_store._clients.values()
    assert redis_client.connection_pool.connection_kwargs["socket_timeout"] == 0.25


def test_key_has_hash_tag_and_constant_memory(server: RedisServer, settings: Any) -> None:
    observer = raw(server)
    for rate in ("3/min", "100/min", "10000/day", "1000000/7d"):
        settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"anon": rate}}
        observer.flushall()
        for _ in range(200):
            throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
        (key,) = observer.keys()
        assert key == b":1:{throttle_anon_198.51.100.7}"
        usage = observer.memory_usage(key)
        assert usage is not None
        assert usage <= 150
        assert 0 < observer.pttl(key) <= 7 * 86400 * 1000


def test_noscript_falls_back_to_eval(server: RedisServer, client: Client) -> None:
    assert statuses(client, 1) == [200]
    raw(server).script_flush()
    assert statuses(client, 3) == [200, 200, 429]


def test_five_minutes_on_redis(server: RedisServer, settings: Any, monkeypatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", lambda self: now[0])
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "2/5m"}}
    client = Client()
    assert statuses(client, 3) == [200, 200, 429]
    now[0] += 299
    response = client.get("/user/")
    assert (response.status_code, response["Retry-After"]) == (429, "1")
    now[0] += 1
    assert statuses(client, 3) == [200, 200, 429]


def test_redis_stopped_fails_open_and_resumes(server: RedisServer, client, caplog) -> None:
    assert statuses(client, 4) == [200, 200, 200, 429]
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        server.stop()
        assert statuses(client, 5) == [200] * 5  # fail open: never a 500
        server.start()
        assert statuses(client, 4) == [200, 200, 200, 429]  # a new server: empty
    logged = [getattr(r, "event", "") for r in caplog.records]
    logged = [event for event in logged if event.startswith("throttle_store")]
    assert logged == ["throttle_store_unavailable", "throttle_store_recovered"]


def test_redis_stopped_fails_closed(server: RedisServer, client, settings) -> None:
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": False}
    assert statuses(client, 1) == [200]
    server.stop()
    responses = [client.get("/user/") for _ in range(3)]
    assert [r.status_code for r in responses] == [503] * 3
    assert responses[0]["Retry-After"] == "5"
    assert responses[0].json()["detail"].startswith("Request rate limiting is unavailable")
    server.start()
    assert statuses(client, 1) == [200]


def test_django_redis_client_is_reused(server: RedisServer, settings: Any) -> None:
    pytest.importorskip("django_redis", reason="the test group installs django-redis")
    settings.CACHES = {
        "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": server.url}
    }
    store = stores.get_store(caches["default"])
    assert isinstance(store, redis_store.RedisStore)
    backend: Any = caches["default"]
    assert store.client.connection_pool is backend.client.get_client().connection_pool
    assert [store.decide("k", 2, 60_000, 1_000_000, hit=True)[0] for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert raw(server).keys() == [b":1:{k}"]


def test_redis_cache_without_its_private_attributes_is_refused(server, settings, client) -> None:
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": False}
    cache: Any = caches["default"]
    del cache._servers
    store = stores.get_store(cache)
    assert isinstance(store, stores.BrokenStore)
    assert "_servers" in str(store.error)
    assert statuses(client, 1) == [503]  # THROTTLE_FAIL_OPEN decides, never a 500


def test_django_redis_shard_client_is_refused() -> None:
    class ShardClient:
        # Has get_client(), as django-redis' ShardClient does; refused by its name, never called.
        get_client = staticmethod(lambda write=True: None)

    class FakeDjangoRedis:
        client = ShardClient()

    FakeDjangoRedis.__module__ = "django_redis.cache"
    with pytest.raises(stores.StoreError, match="ShardClient"):
        stores.cache_client(FakeDjangoRedis())  # type: ignore[arg-type]


def _hammer(url: str, barrier: Any, attempts: int, results: Any) -> None:
    """One of the worker processes: ``attempts`` decisions on one key, all at once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.test import override_settings

    django.setup()
    override_settings(
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        },
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": "100/day"}},
    ).enable()
    from drf_hardening.throttling import AnonRateThrottle

    throttle = AnonRateThrottle()
    throttle.allow_request(anonymous_request("192.0.2.1"), None)  # type: ignore[arg-type]  # warm up
    barrier.wait()
    allowed = sum(
        AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
        for _ in range(attempts)
    )
    results.put(allowed)


def test_exact_under_concurrent_processes(server: RedisServer) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(8)
    results = context.Queue()
    workers = [
        context.Process(target=_hammer, args=(server.url, barrier, 100, results)) for _ in range(8)
    ]
    for worker in workers:
        worker.start()
    counts = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sum(counts) == 100  # 800 attempts on one key, 100/day: exactly 100
    assert caches["default"] is not None


def test_frozen_redis_times_out_and_fails_open(server: RedisServer, client, caplog) -> None:
    """A Redis that accepts connections but never answers (SIGSTOP) costs one timeout."""
    assert statuses(client, 1) == [200]
    assert server.pid is not None
    os.kill(server.pid, signal.SIGSTOP)
    try:
        with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
            assert statuses(client, 4) == [200] * 4
    finally:
        os.kill(server.pid, signal.SIGCONT)
    (record,) = [
        r for r in caplog.records if getattr(r, "event", "") == "throttle_store_unavailable"
    ]
    assert isinstance(record.exc_info[1], redis.exceptions.TimeoutError)
    # Counting goes on: at most the 2 left of the window (Redis may also run the timed-out
    # calls it had queued, which then count: a timeout is not a proof of "not counted").
    after = statuses(client, 3)
    assert after.count(200) <= 2
    assert after[-1] == 429


@pytest.mark.parametrize(
    ("trusted", "remote", "real_chain"),
    [
        (0, "198.51.100.7", ""),
        (1, "10.0.0.2", "198.51.100.7"),
        (2, "10.0.0.2", "198.51.100.7, 10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.2", "198.51.100.7, 10.0.0.1"),
    ],
)
def test_spoofed_xff_gets_no_new_bucket(server, settings, trusted, remote, real_chain) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": trusted}
    client = Client()
    codes = []
    for i in range(5):
        spoof = f"203.0.113.{i}, garbage-{i}, 10.9.9.{i}"
        xff = f"{spoof}, {real_chain}" if real_chain else spoof
        codes.append(client.get("/user/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=xff).status_code)
    assert codes == [200, 200, 200, 429, 429]
    assert raw(server).keys() == [b":1:{throttle_user_198.51.100.7}"]


def default_store() -> stores.Store:
    return stores.get_store(caches["default"])


def test_counts_beyond_exact_integer_replies(server: RedisServer) -> None:
    # 10^6 per 365 days: count * (period + 1) would pass 2^53, so the script answers
    # with a string instead of one integer.
    year = 365 * 86_400_000
    store = default_store()
    assert store.decide("k", 10**6, year, 1_000_000, hit=True) == (True, 1, year)
    assert store.decide("k", 10**6, year, 1_000_500, hit=False) == (True, 1, year - 500)
    assert store.decide("k", 1, year, 1_001_000, hit=True) == (False, 1, year - 1000)


def test_replies_on_both_sides_of_the_exact_limit(server: RedisServer) -> None:
    period = 86_400_000
    below = (2**53 - period) // (period + 1)  # the largest limit still answered as one integer
    for limit, reply_type in ((below, int), (below + 1, bytes)):
        store = default_store()
        assert store.decide(f"k{limit}", limit, period, 1_000_000, hit=True) == (True, 1, period)
        key = f":1:{{k{limit}}}"
        raw(server).set(key, struct.pack(">dd", 1_000_000, limit))
        assert store.decide(f"k{limit}", limit, period, 1_000_001, hit=True) == (
            False,
            limit,
            period - 1,
        )
        arg = struct.pack(">ddd", 1_000_001, limit, period)
        assert type(raw(server).evalsha(redis_store.SCRIPT_SHA, 1, key, arg)) is reply_type


def test_value_of_another_format_opens_a_new_window(server: RedisServer) -> None:
    raw(server).set(":1:{k}", b"1000000:5", px=60_000)  # the text value of 0.1.0
    assert default_store().decide("k", 3, 60_000, 1_000_000, hit=True) == (True, 1, 60_000)


def test_window_keeps_the_expiry_it_opened_with(server: RedisServer) -> None:
    store = default_store()
    store.decide("k", 5, 60_000, 1_000_000, hit=True)
    raw(server).pexpire(":1:{k}", 40_000)  # stands for 20 s of server time passing
    store.decide("k", 5, 60_000, 1_001_000, hit=True)
    assert 30_000 < raw(server).pttl(":1:{k}") <= 40_000


def test_key_prefix_and_version_are_the_caches(server: RedisServer, settings: Any) -> None:
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": "app", "VERSION": 3},
    }
    throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
    assert raw(server).keys() == [b"app:3:{throttle_anon_198.51.100.7}"]


def reversed_key(key: str, key_prefix: str, version: int) -> str:
    return f"{key}|{version}|{key_prefix}"


def test_custom_key_function_is_called(server: RedisServer, settings: Any) -> None:
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "KEY_FUNCTION": "tests.test_throttling_redis.reversed_key",
        },
    }
    throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
    assert raw(server).keys() == [b"{throttle_anon_198.51.100.7}|1|"]
