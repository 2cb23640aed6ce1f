"""The stores' algorithm, driven directly with explicit times.

``CounterStore`` is memcached's; here it runs on LocMem, whose ``add`` and
``incr`` keep memcached's contract (atomic add, ``ValueError`` on a missing
key), so its logic is exercised on a real Django cache.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis
from django.core.cache import cache, caches
from django.core.cache.backends.filebased import FileBasedCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache

from drf_hardening.throttling.clients import BrokenStore, StoreError
from drf_hardening.throttling.redis_store import RedisStore
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


# --- release: the failed-auth guard gives back a reserved attempt ---------------------------


@pytest.fixture(params=["LocMemStore", "LocalStore", "CounterStore", "RedisStore"])
def any_store(request: pytest.FixtureRequest) -> Any:
    """Each store, Redis included (on the session's redis-server)."""
    if request.param == "RedisStore":
        request.getfixturevalue("redis_cache")
        from django.core.cache import caches

        return get_store(caches["default"])
    return {"LocMemStore": LocMemStore, "LocalStore": LocalStore, "CounterStore": CounterStore}[
        request.param
    ](cache)


def reserve(store, now: int, limit: int = 3) -> int:
    """One counted request; the start of its window, as ``counting.reserve`` works it out."""
    decision = store.decide("k", limit, MIN, now, hit=True)
    assert decision.allowed
    return int(now + decision.reset_ms - MIN)


def used(store, now: int) -> int:
    return int(store.decide("k", 3, MIN, now, hit=False).used)


def test_release_gives_one_back(any_store) -> None:
    start = reserve(any_store, 1_000_000)
    reserve(any_store, 1_000_000)
    reserve(any_store, 1_000_000)
    assert not any_store.decide("k", 3, MIN, 1_000_100, hit=False).allowed
    any_store.release("k", start, MIN, 1_000_200)
    assert used(any_store, 1_000_300) == 2
    assert hits(any_store, 2, 1_000_400) == [True, False]


def test_release_never_goes_below_zero(any_store) -> None:
    start = reserve(any_store, 1_000_000)
    for _ in range(3):
        any_store.release("k", start, MIN, 1_000_100)
    assert used(any_store, 1_000_200) == 0
    assert hits(any_store, 4, 1_000_300) == [True, True, True, False]


def test_release_after_rollover_leaves_the_new_window(any_store) -> None:
    old = reserve(any_store, 1_000_000)
    new = reserve(any_store, 1_000_000 + MIN + 5_000)  # the next window, opened by another
    assert new != old
    any_store.release("k", old, MIN, 1_000_000 + MIN + 6_000)
    assert used(any_store, 1_000_000 + MIN + 7_000) == 1


def test_release_of_a_closed_window_or_missing_key_does_nothing(any_store) -> None:
    any_store.release("k", 1_000_000, MIN, 1_000_100)  # nothing was ever counted
    start = reserve(any_store, 1_000_000)
    reserve(any_store, 1_000_000)
    any_store.release("k", start, MIN, start + MIN)  # the window has just closed
    assert used(any_store, start + MIN - 1) == 2


def test_counter_store_undoes_a_decr_that_met_a_new_window(monkeypatch) -> None:
    store = CounterStore(cache)
    start = reserve(store, 1_000_000)
    real_decr = cache.decr

    def decr_after_rollover(key, delta=1, version=None):
        cache.set(key, (5_000 << 32) | 1, 60)  # expired, and another worker opened a window
        return real_decr(key, delta, version)

    monkeypatch.setattr(cache, "decr", decr_after_rollover)
    store.release("k", start, MIN, 1_000_100)
    assert cache.get("k") == (5_000 << 32) | 1


def test_counter_store_release_of_a_key_expiring_meanwhile(monkeypatch) -> None:
    store = CounterStore(cache)
    start = reserve(store, 1_000_000)

    def decr_expired(key, delta=1, version=None):
        cache.delete(key)
        raise ValueError("missing")

    monkeypatch.setattr(cache, "decr", decr_expired)
    store.release("k", start, MIN, 1_000_100)
    assert cache.get("k") is None


def test_a_broken_store_fails_its_release_as_its_decisions() -> None:
    store = BrokenStore(cache, StoreError("unreachable"))
    with pytest.raises(StoreError, match="unreachable"):
        store.decide("k", 1, 1000, 0, hit=True)
    with pytest.raises(StoreError, match="unreachable"):
        store.release("k", 0, 1000, 0)


@pytest.mark.redis
@pytest.mark.parametrize("fresh_scripts", [False, True])
def test_a_failed_decision_in_the_pipeline_still_releases(redis_cache, fresh_scripts) -> None:
    store = get_store(caches["default"])
    assert isinstance(store, RedisStore)
    start = reserve(store, 1_000_000)
    raw = redis.Redis.from_url(redis_cache.url)
    raw.rpush(store.redis_key("user"), "x")  # a key of another type: the decision fails on it
    if fresh_scripts:  # neither script cached: each goes through EVAL, and the decision's fails
        raw.script_flush()
    with pytest.raises(redis.exceptions.ResponseError, match="WRONGTYPE"):
        store.decide_releasing("user", 5, MIN, 1_000_010, "k", start)
    assert used(store, 1_000_020) == 0  # the reservation went back all the same
