"""Throttle decisions from async code: ``redis.asyncio``, the same script, one round trip.

``acount`` is ``counting.count`` on an event loop: the same steps (``prepare``,
``failed``, the episodes), with the store call awaited. A Redis store gets a
twin on ``redis.asyncio``, built from the same configuration (``THROTTLE_STORE``
or Django's ``RedisCache``), with the same ``SCRIPT``, timeouts and key, one
client per event loop and configuration: an asyncio client holds connections
bound to the loop that opened them, so a client of a closed loop is never reused
(a closed loop's entries are dropped).

Stores with no asyncio client are called without leaving the loop when they do
no I/O (LocMem), else in a worker thread (``sync_to_async``): memcached, the
database and file caches, and django-redis' and django-valkey's clients (they
have no asyncio counterpart to reuse).
"""

from __future__ import annotations

import asyncio
import threading
from typing import TYPE_CHECKING, Any

from asgiref.sync import sync_to_async

from drf_hardening.conf import conf
from drf_hardening.throttling import counting, episodes, events
from drf_hardening.throttling.stores import Decision, LocMemStore, Store

if TYPE_CHECKING:
    from drf_hardening.throttling.redis_store import RedisStore
    from drf_hardening.throttling.throttles import SimpleRateThrottle

Loop = asyncio.AbstractEventLoop

#: Per event loop: configuration -> its redis.asyncio client. Loops are held, not
#: weakly referenced (uvloop's cannot be), and dropped once closed.
_clients: dict[Loop, dict[tuple[Any, ...], Any]] = {}
_lock = threading.Lock()  # loops of several threads may add themselves at once


async def acount(throttle: SimpleRateThrottle, key: str, hit: bool = True) -> Decision | None:
    """``counting.count`` from async code: count (or only look) at ``key`` on the store."""
    step = counting.prepare(throttle)
    if step is None:
        return None
    store, name, limit, period_ms, now_ms = step
    try:
        decision = await decide(store, key, limit, period_ms, now_ms, hit)
    except Exception as exc:  # a store outage must never become a 500
        counting.failed(store, name, key, exc)
        return None
    if events.failing:  # else nothing can have recovered: no call
        events.report_success(episodes.ended(store, name, key))
    return decision


async def decide(
    store: Store, key: str, limit: int, period_ms: int, now_ms: int, hit: bool
) -> Decision:
    """``store.decide`` from async code, on the store's asyncio twin when it has one."""
    decision: Decision = await on_store(store, "decide", key, limit, period_ms, now_ms, hit)
    return decision


async def areserve(
    throttle: SimpleRateThrottle, key: str
) -> tuple[Decision | None, counting.Reservation | None]:
    """``counting.reserve`` from async code."""
    decision = await acount(throttle, key)
    return decision, counting.reservation_of(throttle, key, decision)


async def arelease(reservation: counting.Reservation) -> None:
    """``counting.release`` from async code: an outage is logged, never raised."""
    store, name, key, start_ms, period_ms, timer = reservation
    try:
        await on_store(store, "release", key, start_ms, period_ms, int(timer() * 1000))
    except Exception as exc:  # the attempt stays counted: the safe side
        counting.failed(store, name, key, exc)


async def on_store(store: Store, method: str, *args: Any) -> Any:
    """``store.<method>(*args)`` from async code: on its asyncio twin, else without I/O, else
    in a worker thread."""
    if getattr(store, "client", None) is not None:
        twin = async_twin(store)  # type: ignore[arg-type]  # a RedisStore
        if twin is not None:
            return await getattr(twin, method)(*args)
    elif isinstance(store, LocMemStore):  # no I/O: a thread would cost more than it
        return getattr(store, method)(*args)
    return await sync_to_async(getattr(store, method))(*args)


class AsyncRedisStore:
    """A ``RedisStore``'s decision on ``redis.asyncio``: same key, script and reply."""

    def __init__(self, store: RedisStore, client: Any) -> None:
        from drf_hardening.throttling import redis_store  # redis-py is the "redis" extra

        self.store = store
        self.client = client
        self.execute = client.execute_command
        self.no_script = redis_store.no_script_errors(client)
        self.redis_store = redis_store

    async def decide(
        self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool
    ) -> Decision:
        shared = self.redis_store
        arg = shared.pack_arg(now_ms, limit, period_ms if hit else -period_ms)
        reply = await self.run(shared.SCRIPT, shared.SCRIPT_SHA, key, arg)
        decision: Decision = shared.parse_reply(reply, period_ms)
        return decision

    async def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        if now_ms >= start_ms + period_ms:  # that window is over: no call
            return
        shared = self.redis_store
        await self.run(shared.RELEASE, shared.RELEASE_SHA, key, shared.pack_start(start_ms))

    async def run(self, script: str, sha: str, key: str, arg: bytes) -> Any:
        """``script`` on the Redis key of ``key``: EVALSHA, EVAL when the server lacks it."""
        redis_key = self.store.redis_key(key)
        try:
            return await self.execute("EVALSHA", sha, 1, redis_key, arg)
        except self.no_script:  # first use on this server, or after SCRIPT FLUSH/a restart
            return await self.execute("EVAL", script, 1, redis_key, arg)


def _forget_closed(table: dict[Loop, Any]) -> None:
    """Drop the entries of closed loops (the table holds each loop, so ids are never reused)."""
    for loop in [loop for loop in table if loop.is_closed()]:
        del table[loop]


def async_twin(store: RedisStore) -> AsyncRedisStore | None:
    """``store``'s twin on this event loop, made on first use; ``None`` if it has none."""
    loop = asyncio.get_running_loop()
    twins: dict[Loop, AsyncRedisStore | None] | None = getattr(store, "_drf_hardening_twins", None)
    if twins is None:
        twins = store._drf_hardening_twins = {}  # type: ignore[attr-defined]
    try:
        return twins[loop]
    except KeyError:
        client = async_client(store, loop)
        with _lock:
            _forget_closed(twins)
            twin = twins[loop] = AsyncRedisStore(store, client) if client is not None else None
        return twin


def async_client(store: RedisStore, loop: Loop) -> Any | None:
    """The ``redis.asyncio`` client of ``store``'s configuration on ``loop``, or ``None``."""
    from drf_hardening.throttling.clients import redis_settings
    from drf_hardening.throttling.topology import build_client, client_kwargs

    timeout = conf.THROTTLE_TIMEOUT
    topology = store.topology
    if topology is not None:
        config: tuple[Any, ...] = ("THROTTLE_STORE", repr(topology), timeout)
    else:
        settings = redis_settings(store.cache)
        if settings is None:  # django-redis, django-valkey: their own client, no asyncio twin
            return None
        url, options = settings
        config = (url, repr(sorted(options.items())), timeout)
    with _lock:
        if loop not in _clients:
            _forget_closed(_clients)
            _clients[loop] = {}
        clients = _clients[loop]
    client = clients.get(config)
    if client is None:
        if topology is not None:
            client = build_client(topology, timeout, asyncio=True)
        else:
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(url, **client_kwargs(options, timeout))
        clients[config] = client
    return client
