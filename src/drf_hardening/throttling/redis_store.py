"""The Redis store: one ``EVALSHA`` of ``SCRIPT`` per decision, on any topology.

Django's ``RedisCache`` builds a new redis-py client for every cache call,
which costs about as much as a round trip (redis/redis-py#3624), so the store
goes around it: one redis-py client per process and configuration, with
short socket timeouts, reused by every request.

A decision is measured against its floor, a bare ``EVALSHA`` of a one-line
script on the same client (``benchmarks/throttle_bench.py``). What sits above
it is kept small: one argument and a one-string reply (redis-py encodes and
parses each argument and reply element in Python), the key prefix made once
per store instead of a ``make_key`` call per decision, and the reply read
without redis-py's response callbacks.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Mapping
from typing import Any

from django.core.cache import BaseCache
from django.core.cache.backends.base import default_key_func
from redis.exceptions import NoScriptError

from drf_hardening.conf import conf
from drf_hardening.throttling.stores import Decision
from drf_hardening.throttling.topology import build_client, client_kwargs

# KEYS[1]: the counter, two big-endian doubles: window start (ms) and count.
# ARGV[1]: three doubles: now (ms), limit, period (ms; negative to only look).
# Binary, because Lua's tonumber() and string.format() cost more server time
# than the rest of the script; doubles hold every integer below 2^53 exactly.
# The reply is one integer, count * (period + 1) + ms left, negative when
# refused; the string "<1 or 0> <count> <ms left>" when that integer would not
# be exact. SET KEEPTTL (Redis >= 6.0) leaves the expiry set when the window opened.
SCRIPT = """
local now, limit, period = struct.unpack('>d>d>d', ARGV[1])
local hit = period > 0
if not hit then
  period = -period
end
local start, count = now, 0
local value = redis.call('GET', KEYS[1])
if value and #value == 16 then
  local opened, counted = struct.unpack('>d>d', value)
  if now < opened + period then
    start, count = opened, counted
  end
end
local left = math.max(start + period - now, 1)
local allowed = count < limit
if allowed and hit then
  count = count + 1
  if start == now then
    redis.call('SET', KEYS[1], struct.pack('>d>d', start, count), 'PX', left)
  else
    redis.call('SET', KEYS[1], struct.pack('>d>d', start, count), 'KEEPTTL')
  end
end
if count * (period + 1) + period >= 2 ^ 53 then
  return string.format('%d %d %d', allowed and 1 or 0, count, left)
end
if allowed then
  return count * (period + 1) + left
end
return -(count * (period + 1) + left)
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()

# The guard's release (``Store.release``): one less in KEYS[1] if its window is
# the one that opened at ARGV[1] (a big-endian double, compared as bytes) and it
# counts more than zero; a window that rolled over, or expired, is left alone.
RELEASE = """
local value = redis.call('GET', KEYS[1])
if value and #value == 16 and string.sub(value, 1, 8) == ARGV[1] then
  local count = struct.unpack('>d', value, 9)
  if count > 0 then
    redis.call('SET', KEYS[1], ARGV[1] .. struct.pack('>d', count - 1), 'KEEPTTL')
  end
end
return 0
"""
RELEASE_SHA = hashlib.sha1(RELEASE.encode(), usedforsecurity=False).hexdigest()

pack_arg = struct.Struct(">ddd").pack
pack_start = struct.Struct(">d").pack

_clients: dict[tuple[Any, ...], Any] = {}
_clients_lock = threading.Lock()


def redis_client(url: str, options: dict[str, Any]) -> Any:
    """One redis-py client per configuration and process, shared by every store.

    Its timeouts are ``THROTTLE_TIMEOUT``, not the cache's: an unreachable Redis
    must cost a request a fraction of a second, not a hung worker. Replies stay
    bytes whatever the cache's options say: the store parses them itself.
    """
    timeout = conf.THROTTLE_TIMEOUT
    config = (url, repr(sorted(options.items())), timeout)
    client = _clients.get(config)
    if client is None:
        import redis

        with _clients_lock:
            client = _clients.get(config)
            if client is None:  # pragma: no branch - else: another thread built it first
                client = redis.Redis.from_url(url, **client_kwargs(options, timeout))
                _clients[config] = client
    return client


def topology_client(store: Mapping[str, Any]) -> Any:
    """The client of a ``THROTTLE_STORE``, one per configuration and process."""
    timeout = conf.THROTTLE_TIMEOUT
    config = ("THROTTLE_STORE", repr(store), timeout)
    with _clients_lock:
        client = _clients.get(config)
        if client is None:
            client = _clients[config] = build_client(store, timeout)
    return client


def topology_store(cache: BaseCache, store: Mapping[str, Any]) -> RedisStore:
    """The store of a ``THROTTLE_STORE``; ``cache`` is only what ``get_cache()`` returns."""
    made = RedisStore(cache, topology_client(store), key_prefix="drfh:throttle:{")
    made.topology = store
    return made


def no_script_errors(client: Any) -> tuple[type[Exception], ...]:
    # django-valkey's client raises valkey-py's NoScriptError, a class of its own.
    errors: list[type[Exception]] = [NoScriptError]
    if type(client).__module__.startswith("valkey"):
        from valkey.exceptions import NoScriptError as ValkeyNoScriptError

        errors.append(ValkeyNoScriptError)
    return tuple(errors)


class RedisStore:
    """Redis or Valkey, any topology: the whole decision in one script call.

    Made once per cache object and settings (``stores.get_store``), or per
    ``THROTTLE_STORE`` (``topology_store``), so what does not change between
    decisions (the client, the key prefix) is worked out here. On a
    ``RedisCluster`` client, redis-py routes the call by its one key.
    """

    #: The ``THROTTLE_STORE`` it was made from (``None``: a cache's client), which
    #: ``throttling.aio`` builds the same client from, on ``redis.asyncio``.
    topology: Mapping[str, Any] | None = None

    def __init__(self, cache: BaseCache, client: Any, key_prefix: str | None = None) -> None:
        self.cache = cache
        self.client = client
        self.no_script = no_script_errors(client)
        # execute_command() is what evalsha() calls, less a layer of Python.
        self.execute = client.execute_command
        # "{...}" is a hash tag: Redis Cluster puts the key in the slot of what is
        # inside, so the script's one key never crosses slots whatever the prefix.
        # With Django's own key function the prefix is fixed; a custom KEY_FUNCTION
        # is called for every key, as the cache itself would.
        self.key_prefix: str | None = key_prefix
        if key_prefix is None and cache.key_func is default_key_func:
            self.key_prefix = str(cache.make_key("{"))

    def redis_key(self, key: str) -> str:
        """The Redis key of the DRF key ``key``: prefixed, the DRF key as the hash tag."""
        prefix = self.key_prefix
        return f"{prefix}{key}}}" if prefix is not None else self.cache.make_key(f"{{{key}}}")

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        prefix = self.key_prefix  # redis_key(), written out: one call less per decision
        redis_key = f"{prefix}{key}}}" if prefix is not None else self.cache.make_key(f"{{{key}}}")
        arg = pack_arg(now_ms, limit, period_ms if hit else -period_ms)
        try:
            reply = self.execute("EVALSHA", SCRIPT_SHA, 1, redis_key, arg)
        except self.no_script:  # first use on this server, or after SCRIPT FLUSH/a restart
            reply = self.execute("EVAL", SCRIPT, 1, redis_key, arg)
        if type(reply) is int:  # parse_reply(), written out: one call less per decision
            used, left = divmod(reply if reply > 0 else -reply, period_ms + 1)
            # What NamedTuple's own __new__ does, without its Python-level call.
            return tuple.__new__(Decision, (reply > 0, used, left))
        return parse_reply(reply, period_ms)

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        if now_ms >= start_ms + period_ms:  # that window is over: no call
            return
        redis_key, arg = self.redis_key(key), pack_start(start_ms)
        try:
            self.execute("EVALSHA", RELEASE_SHA, 1, redis_key, arg)
        except self.no_script:
            self.execute("EVAL", RELEASE, 1, redis_key, arg)

    def decide_releasing(
        self, key: str, limit: int, period_ms: int, now_ms: int, release_key: str, start_ms: int
    ) -> Decision:
        """``decide(..., hit=True)`` and ``release(release_key, start_ms, ...)`` in one round trip.

        The caller has checked that the released window is still open.

        A pipeline, not one script: on a cluster the two keys may sit in
        different slots, and the cluster pipeline sends each to its node.
        """
        calls = (
            (SCRIPT, SCRIPT_SHA, self.redis_key(key), pack_arg(now_ms, limit, period_ms)),
            (RELEASE, RELEASE_SHA, self.redis_key(release_key), pack_start(start_ms)),
        )
        pipe = self.client.pipeline(transaction=False)
        for _, sha, redis_key, arg in calls:
            pipe.execute_command("EVALSHA", sha, 1, redis_key, arg)
        replies = pipe.execute(raise_on_error=False)
        failure: Exception | None = None
        # Every call is settled before a failure is raised: a release whose script the
        # server did not have yet runs even when the decision beside it failed.
        for i, (script, _, redis_key, arg) in enumerate(calls):
            if isinstance(replies[i], self.no_script):  # as in decide: load it with EVAL
                try:
                    replies[i] = self.execute("EVAL", script, 1, redis_key, arg)
                except Exception as exc:
                    replies[i] = exc
            if isinstance(replies[i], Exception) and failure is None:
                failure = replies[i]
        if failure is not None:
            raise failure
        return parse_reply(replies[0], period_ms)


def parse_reply(reply: Any, period_ms: int) -> Decision:
    """The ``Decision`` in the script's reply (see ``SCRIPT``), for the sync and async stores."""
    if type(reply) is int:
        used, left = divmod(reply if reply > 0 else -reply, period_ms + 1)
        return Decision(reply > 0, used, left)
    allowed, used, left = reply.split(b" ")
    return Decision(allowed == b"1", int(used), int(left))
