"""Where throttle counters live, and the one atomic step that updates them.

Every store implements the same algorithm, a *fixed window that opens on the
first request*: a key holds ``(window start, count)``; a request is allowed
while ``count < limit`` and counted; the window closes ``duration`` seconds
after it opened, and the next request opens a new one. Denied requests are not
counted (as in DRF), so hammering does not extend a lockout. The state is two
integers per key, whatever the rate. docs/throttling.md states what this
guarantees over any rolling window.

- ``RedisStore`` (Django's ``RedisCache`` and django-redis): one ``EVALSHA`` of
  ``SCRIPT`` per decision, on a redis-py client built once per process and
  configuration (``RedisCache`` builds a new client for every call, which costs
  as much as a round trip), with short socket timeouts.
- ``CounterStore`` (memcached): atomic ``incr``, and ``add`` to open a window.
- ``LocMemStore`` (LocMem) and ``LocalStore`` (everything else: database,
  file): read and write under a lock of this process, so decisions are exact
  within one process only (the system checks say so for database and file
  caches, and for LocMem in production).

Times are integer milliseconds of the throttle's ``timer()``, so tests that
replace ``timer`` drive every store, Redis included.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import threading
from typing import Any, NamedTuple, Protocol

from django.core.cache import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.memcached import BaseMemcachedCache
from django.core.cache.backends.redis import RedisCache

from drf_hardening.conf import conf


class Decision(NamedTuple):
    """The outcome of one throttle step."""

    allowed: bool
    used: int  # requests counted in the window, this one included when allowed
    reset_ms: int  # milliseconds until the window closes (always > 0)


class Store(Protocol):
    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        """Count a request (``hit``) or only look (``hit=False``) at ``key``."""


# KEYS[1]: the counter. ARGV: now (ms), limit, period (ms), 1 to count or 0 to look.
# The value is "<window start ms>:<count>". Returns {allowed, count, ms left}.
SCRIPT = """
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local start, count = now, 0
local value = redis.call('GET', KEYS[1])
if value then
  local sep = string.find(value, ':', 1, true)
  if sep then
    local opened = tonumber(string.sub(value, 1, sep - 1))
    if opened and now < opened + period then
      start = opened
      count = tonumber(string.sub(value, sep + 1)) or limit
    end
  end
end
local left = math.max(start + period - now, 1)
if count >= limit then
  return {0, count, left}
end
if ARGV[4] == '0' then
  return {1, count, left}
end
count = count + 1
redis.call('SET', KEYS[1], string.format('%d:%d', start, count), 'PX', left)
return {1, count, left}
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()

_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def redis_settings(cache: BaseCache) -> tuple[str, dict[str, Any]] | None:
    """The URL and connection options of a Redis-backed cache, or ``None``."""
    if isinstance(cache, RedisCache):
        servers: list[str] = cache._servers  # type: ignore[attr-defined]
        ignored = {"pool_class", "parser_class", "serializer"}
        options = {k: v for k, v in cache._options.items() if k not in ignored}  # type: ignore[attr-defined]
        return servers[0], options
    if type(cache).__module__.startswith("django_redis"):
        server: Any = cache._server  # type: ignore[attr-defined]
        url = server.split(",")[0] if isinstance(server, str) else server[0]
        opts: dict[str, Any] = cache._params.get("OPTIONS") or {}  # type: ignore[attr-defined]
        options = dict(opts.get("CONNECTION_POOL_KWARGS") or {})
        if opts.get("PASSWORD"):
            options["password"] = opts["PASSWORD"]
        return url.strip(), options
    return None


def redis_client(url: str, options: dict[str, Any], options_key: str = "") -> Any:
    """One redis-py client per configuration and process, reused by every request.

    Its timeouts are ``THROTTLE_TIMEOUT``, not the cache's: an unreachable Redis
    must cost a request a fraction of a second, not a hung worker.
    """
    timeout = conf.THROTTLE_TIMEOUT
    config = (url, options_key or repr(sorted(options.items())), timeout)
    client = _clients.get(config)
    if client is None:
        import redis

        with _clients_lock:
            client = _clients.get(config)
            if client is None:  # pragma: no branch - else: another thread built it first
                client = redis.Redis.from_url(
                    url,
                    **{**options, "socket_timeout": timeout, "socket_connect_timeout": timeout},
                )
                _clients[config] = client
    return client


class RedisStore:
    def __init__(self, cache: BaseCache, url: str, options: dict[str, Any]) -> None:
        self.cache = cache
        self.url, self.options = url, options
        self.options_key = repr(sorted(options.items()))

    @property
    def client(self) -> Any:
        return redis_client(self.url, self.options, self.options_key)

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        from redis.exceptions import NoScriptError

        # "{...}" is a hash tag: Redis Cluster puts the key in the slot of what is
        # inside, so the script's one key never crosses slots whatever the prefix.
        redis_key = self.cache.make_key(f"{{{key}}}")
        args = (now_ms, limit, period_ms, 1 if hit else 0)
        try:
            reply = self.client.evalsha(SCRIPT_SHA, 1, redis_key, *args)
        except NoScriptError:  # first use on this server, or after SCRIPT FLUSH/a restart
            reply = self.client.eval(SCRIPT, 1, redis_key, *args)
        allowed, count, left = reply
        return Decision(bool(allowed), int(count), int(left))


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


def get_store(cache: BaseCache) -> Store:
    """The store for ``cache``, made on first use and kept on the cache object.

    Django makes new cache objects when ``CACHES`` changes, so the store
    follows ``override_settings(CACHES=...)``.
    """
    store: Store | None = getattr(cache, "_drf_hardening_store", None)
    if store is None:
        redis = redis_settings(cache)
        if redis is not None:
            store = RedisStore(cache, *redis)
        elif isinstance(cache, BaseMemcachedCache):
            store = CounterStore(cache)
        elif isinstance(cache, LocMemCache) and all(
            hasattr(cache, name) for name in ("_lock", "_cache", "_has_expired", "_set")
        ):
            store = LocMemStore(cache)
        else:
            store = LocalStore(cache)
        cache._drf_hardening_store = store  # type: ignore[attr-defined]
    return store
