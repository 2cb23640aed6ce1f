"""Where throttle counters live, and the one atomic step that updates them.

Every store implements the same algorithm, a *fixed window that opens on the
first request*: a key holds ``(window start, count)``; a request is allowed
while ``count < limit`` and counted; the window closes ``duration`` seconds
after it opened, and the next request opens a new one. Denied requests are not
counted (as in DRF), so hammering does not extend a lockout. The state is two
numbers per key, whatever the rate. docs/throttling.md states what this
guarantees over any rolling window.

- ``RedisStore`` (``THROTTLE_STORE``, Django's ``RedisCache``, django-redis and
  django-valkey, in ``redis_store``; which client it drives: ``clients``):
  one ``EVALSHA`` of a Lua script per decision, on a redis-py client built once
  per process and configuration, with short socket timeouts.
- ``CounterStore`` (memcached): atomic ``incr``, and ``add`` to open a window.
- ``LocMemStore`` (LocMem) and ``LocalStore`` (everything else: database,
  file): read and write under a lock of this process, so decisions are exact
  within one process only (the system checks say so for database and file
  caches, and for LocMem in production).

Times are integer milliseconds of the throttle's ``timer()``, so tests that
replace ``timer`` drive every store, Redis included. ``release`` gives back one
counted request (the failed-auth guard's reservation, ``throttling.guard``), in
the window it was counted in only, and never below zero.
"""

from __future__ import annotations

import math
import pickle
import threading
from typing import Any, NamedTuple, Protocol

from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.signals import setting_changed
from django.dispatch import receiver

from drf_hardening.conf import conf
from drf_hardening.throttling.clients import (
    CLIENT_BACKENDS,
    SUPPORTED_CLIENTS,
    BrokenStore,
    StoreError,
    cache_client,
    redis_settings,
    store_setting,
)

__all__ = [
    "CLIENT_BACKENDS",
    "SUPPORTED_CLIENTS",
    "BrokenStore",
    "StoreError",
    "cache_client",
    "redis_settings",
    "store_setting",
]


class Decision(NamedTuple):
    """The outcome of one throttle step."""

    allowed: bool
    used: int  # requests counted in the window, this one included when allowed
    reset_ms: int  # milliseconds until the window closes (always > 0)


class Store(Protocol):
    cache: BaseCache

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        """Count a request (``hit``) or only look (``hit=False``) at ``key``."""

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        """Give back one request counted in the window of ``key`` that opened at ``start_ms``.

        Nothing when that window has closed (or another opened), or counts zero.
        """


# Counter value of the local and memcached stores: window start << 32 | count.
_COUNT_BITS = 32
_COUNT_MASK = (1 << _COUNT_BITS) - 1


def _step(
    value: object, limit: int, period_ms: int, now_ms: int, hit: bool
) -> tuple[Decision, int | None]:
    """One decision on an in-process value ``start << 32 | count``, and what to store (if any)."""
    start, count = now_ms, 0
    if isinstance(value, int) and now_ms < (value >> _COUNT_BITS) + period_ms:
        start, count = value >> _COUNT_BITS, value & _COUNT_MASK
    left = max(start + period_ms - now_ms, 1)
    if count >= limit:
        return Decision(False, count, left), None
    if not hit:
        return Decision(True, count, left), None
    return Decision(True, count + 1, left), start << _COUNT_BITS | (count + 1)


def _unstep(value: object, start_ms: int, period_ms: int, now_ms: int) -> int | None:
    """``value`` less one request of the window opened at ``start_ms``; ``None``: leave it."""
    if (
        isinstance(value, int)
        and value >> _COUNT_BITS == start_ms
        and value & _COUNT_MASK
        and now_ms < start_ms + period_ms
    ):
        return value - 1
    return None


_local_lock = threading.Lock()


class LocalStore:
    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        with _local_lock:
            decision, stored = _step(self.cache.get(key), limit, period_ms, now_ms, hit)
            if stored is not None:
                self.cache.set(key, stored, decision.reset_ms / 1000)
            return decision

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        with _local_lock:
            stored = _unstep(self.cache.get(key), start_ms, period_ms, now_ms)
            if stored is not None:
                self.cache.set(key, stored, (start_ms + period_ms - now_ms) / 1000)


class LocMemStore:
    """``LocMemCache``: the read and the write in one hold of the cache's own lock.

    Goes through LocMem's internals (``_lock``, ``_cache``, ``_has_expired``,
    ``_set``, unchanged since Django 2.1; ``get_store`` falls back to
    ``LocalStore`` if they go) to skip a second lock and the memcached key
    validation that LocMem runs on every call, which cost more than the
    decision itself. Values stay pickled, so ``cache.get`` still reads them.
    """

    def __init__(self, cache: Any) -> None:
        self.cache = cache

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        cache = self.cache
        key = cache.make_key(key)
        with cache._lock:
            value = None
            if not cache._has_expired(key):
                value = pickle.loads(cache._cache[key])  # noqa: S301 - what LocMem itself does
            decision, stored = _step(value, limit, period_ms, now_ms, hit)
            if stored is not None:
                pickled = pickle.dumps(stored, cache.pickle_protocol)
                cache._set(key, pickled, decision.reset_ms / 1000)
            return decision

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        cache = self.cache
        key = cache.make_key(key)
        with cache._lock:
            if cache._has_expired(key):
                return
            value = pickle.loads(cache._cache[key])  # noqa: S301 - what LocMem itself does
            stored = _unstep(value, start_ms, period_ms, now_ms)
            if stored is not None:
                pickled = pickle.dumps(stored, cache.pickle_protocol)
                cache._set(key, pickled, (start_ms + period_ms - now_ms) / 1000)


class CounterStore:
    """memcached: ``incr`` is atomic on the server, ``add`` opens a window.

    The window start is kept in whole seconds, rounded up, so that the value
    fits memcached's 64-bit counters and ``Retry-After`` is never early.
    Windows end when the key expires; a key the timer says is stale (clock
    skew between servers, a replaced ``timer``) is reopened with ``set``, the
    one step here that is not atomic.
    """

    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        opened = math.ceil(now_ms / 1000)
        fresh = opened << _COUNT_BITS | 1
        timeout = math.ceil(period_ms / 1000)
        value: Any
        if not hit:
            value = self.cache.get(key)
        else:
            try:
                value = self.cache.incr(key)
            except ValueError:  # no window open: open one, unless another worker just did
                value = fresh if self.cache.add(key, fresh, timeout) else self.cache.incr(key)
        if not isinstance(value, int) or now_ms >= (value >> _COUNT_BITS) * 1000 + period_ms:
            if not hit:
                return Decision(True, 0, period_ms)
            self.cache.set(key, fresh, timeout)
            value = fresh
        count = value & _COUNT_MASK
        left = max((value >> _COUNT_BITS) * 1000 + period_ms - now_ms, 1)
        if hit:
            return Decision(count <= limit, min(count, limit), left)
        return Decision(count < limit, count, left)

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        # memcached has no conditional decrement: check, then decr, and undo a decr
        # that met a window opened in between (the value's start changed).
        opened = start_ms // 1000  # whole seconds here (a multiple of 1000 ms, see decide)
        value = self.cache.get(key)
        if not isinstance(value, int) or value >> _COUNT_BITS != opened:
            return
        if not value & _COUNT_MASK or now_ms >= start_ms + period_ms:
            return
        try:
            after = self.cache.decr(key)
        except ValueError:  # expired in between: nothing left to give back
            return
        if after >> _COUNT_BITS != opened:
            self.cache.incr(key)


# Stores are made once and kept, since what they work out (a Redis client, a key
# prefix) is the cost of a decision; a changed CACHES or DRF_HARDENING
# (override_settings, the settings fixture) starts a new generation of them.
generation = 0
per_thread = threading.local()  # .default: (generation, (THROTTLE_CACHE's store, its name))


@receiver(setting_changed)
def _settings_changed(setting: str, **kwargs: Any) -> None:
    global generation
    if setting in ("CACHES", "DRF_HARDENING"):
        generation += 1


def _store_for(cache: BaseCache, client: Any) -> Store:
    if client is not None:
        from drf_hardening.throttling.redis_store import RedisStore

        return RedisStore(cache, client)
    if isinstance(cache, BaseMemcachedCache):
        return CounterStore(cache)
    if isinstance(cache, LocMemCache) and all(
        hasattr(cache, name) for name in ("_lock", "_cache", "_has_expired", "_set")
    ):
        return LocMemStore(cache)
    return LocalStore(cache)


def get_store(cache: BaseCache) -> Store:
    """The store for ``cache``, made on first use and kept on the cache object.

    Made again after ``override_settings`` changes ``CACHES`` (Django makes new
    cache objects then) or ``DRF_HARDENING`` (``THROTTLE_TIMEOUT``).
    """
    kept: tuple[Store, int] | None = getattr(cache, "_drf_hardening_store", None)
    if kept is not None and kept[1] == generation:
        return kept[0]
    store: Store
    try:
        client = cache_client(cache)
    except (StoreError, ValueError) as exc:  # ValueError: redis-py refuses the LOCATION's URL
        store = BrokenStore(cache, exc)
    else:
        store = _store_for(cache, client)
    cache._drf_hardening_store = (store, generation)  # type: ignore[attr-defined]
    return store


def default_store() -> tuple[Store, str]:
    """The store of ``THROTTLE_CACHE`` and its name (``"cache 'default'"``).

    Looked up once per thread and settings generation: per thread as Django's
    ``caches`` does (a cache object may hold a client that is not thread-safe),
    without its cost (and conf's) on every decision. ``counting.count`` reads
    ``per_thread.default`` itself and calls this only when it is stale.
    """
    found: tuple[int, tuple[Store, str]] | None = getattr(per_thread, "default", None)
    if found is None or found[0] != generation:
        alias = conf.THROTTLE_CACHE
        topology = store_setting()
        if topology is not None:
            from drf_hardening.throttling.redis_store import topology_store
            from drf_hardening.throttling.topology import describe

            made: tuple[Store, str] = (topology_store(caches[alias], topology), describe(topology))
        else:
            made = (get_store(caches[alias]), f"cache {alias!r}")
        found = per_thread.default = (generation, made)
    return found[1]


def find_store(cache: BaseCache) -> tuple[Store, str]:
    """The store of a cache a throttle brings, and its name: the object's identity.

    Outage episodes are keyed by these names (``events.report_failure``), so two
    caches of one class fail and recover apart.
    """
    return get_store(cache), f"cache {type(cache).__name__} at {id(cache):#x}"
