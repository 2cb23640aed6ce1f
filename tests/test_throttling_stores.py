"""The stores' algorithm, driven directly with explicit times.

``CounterStore`` is memcached's; here it runs on LocMem, whose ``add`` and
``incr`` keep memcached's contract (atomic add, ``ValueError`` on a missing
key), so its logic is exercised on a real Django cache.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache

from drf_hardening.throttling.stores import (
    CounterStore,
    Decision,
    LocalStore,
    LocMemStore,
    get_store,
)

MIN = 60_000


@pytest.fixture(autouse=True)
def _clear() -> None:
    cache.clear()


@pytest.fixture(params=[LocMemStore, LocalStore, CounterStore])
def store(request: pytest.FixtureRequest) -> Any:
    return request.param(cache)


def hits(store, n: int, now: int, limit: int = 3, key: str = "k") -> list[bool]:
    return [store.decide(key, limit, MIN, now, hit=True).allowed for _ in range(n)]


def test_window_opens_on_first_request(store) -> None:
    assert hits(store, 4, 1_000_000) == [True, True, True, False]
    assert hits(store, 1, 1_000_000 + MIN - 1000) == [False]
    assert hits(store, 4, 1_000_000 + MIN) == [True, True, True, False]


def test_peek_does_not_count(store) -> None:
    assert store.decide("k", 1, MIN, 1_000_000, hit=False).allowed
    assert store.decide("k", 1, MIN, 1_000_000, hit=False).allowed
    assert hits(store, 2, 1_000_000, limit=1) == [True, False]
    assert not store.decide("k", 1, MIN, 1_000_000, hit=False).allowed


def test_reset_counts_down_to_window_end(store) -> None:
    store.decide("k", 1, MIN, 1_000_000, hit=True)
    decision = store.decide("k", 1, MIN, 1_010_000, hit=True)
    assert not decision.allowed
    assert 50_000 <= decision.reset_ms <= 51_000  # memcached keeps whole seconds, rounded up


def test_zero_limit_refuses_everything(store) -> None:
    assert hits(store, 2, 1_000_000, limit=0) == [False, False]


def test_used_and_reset_are_reported(store) -> None:
    assert store.decide("k", 5, MIN, 1_000_000, hit=True) == Decision(True, 1, MIN)
    assert store.decide("k", 5, MIN, 1_030_000, hit=True) == Decision(True, 2, 30_000)


def test_locmem_values_stay_readable_by_cache_get() -> None:
    LocMemStore(cache).decide("k", 5, MIN, 1_000_000, hit=True)
    assert cache.get("k") == (1_000_000 << 32) | 1


def test_counter_store_reopens_a_stale_window() -> None:
    store = CounterStore(cache)
    hits(store, 3, 1_000_000)
    # The key outlived the timer's window (clock skew, a replaced timer): reopened.
    assert hits(store, 1, 1_000_000 + 2 * MIN) == [True]
    assert not store.decide("k", 3, MIN, 1_000_000 + 3 * MIN, hit=False).used


def test_counter_store_opened_by_another_worker(monkeypatch) -> None:
    store = CounterStore(cache)
    real_incr = cache.incr
    calls = []

    def incr_racing(key, delta=1, version=None):
        calls.append(key)
        if len(calls) == 1:  # the key is missing... and another worker adds it now
            cache.add(key, (1000 << 32) | 1, 60)
            raise ValueError("missing")
        return real_incr(key, delta, version)

    monkeypatch.setattr(cache, "incr", incr_racing)
    decision = store.decide("k", 3, MIN, 1_000_000, hit=True)
    assert decision == Decision(True, 2, MIN)


def test_get_store_picks_by_backend(tmp_path, monkeypatch) -> None:
    assert isinstance(get_store(LocMemCache("a", {})), LocMemStore)
    assert isinstance(get_store(FileBasedCache(str(tmp_path), {})), LocalStore)
    monkeypatch.delattr(LocMemCache, "_set")  # internals gone in some future Django
    assert type(get_store(LocMemCache("b", {}))) is LocalStore
    library: Any = type("library", (), {"Client": object})  # no memcached client is installed here
    memcached = BaseMemcachedCache("127.0.0.1:11211", {}, library, ValueError)
    assert isinstance(get_store(memcached), CounterStore)


@pytest.mark.redis
def test_get_store_picks_redis(redis_cache) -> None:
    from django.core.cache import caches

    from drf_hardening.throttling.redis_store import RedisStore

    assert isinstance(get_store(caches["default"]), RedisStore)
