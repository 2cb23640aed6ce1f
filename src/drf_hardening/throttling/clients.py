"""Which Redis client a throttle store drives, for a cache or for ``THROTTLE_STORE``.

Reuses what a backend exposes (django-redis' and django-valkey's
``get_client()``) and reads Django's ``RedisCache`` private attributes only
where it has no public way; whatever it cannot drive is a ``StoreError``,
reported at start-up (``drf_hardening.E037``) and, at request time, decided by
``THROTTLE_FAIL_OPEN``: never a silent per-process fall-back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache import BaseCache
from django.core.cache.backends.redis import RedisCache

from drf_hardening.conf import conf

if TYPE_CHECKING:
    from drf_hardening.throttling.stores import Decision


class StoreError(Exception):
    """A throttle store the library cannot drive (``drf_hardening.E037`` at start-up)."""


class BrokenStore:
    """What a cache that cannot be driven gets: every decision fails, per THROTTLE_FAIL_OPEN.

    The system checks report the cause before any request (``E037``); a server
    that runs no checks still never answers a 500 and logs it once per episode.
    """

    def __init__(self, cache: BaseCache, error: Exception) -> None:
        self.cache = cache
        self.error = error

    def decide(self, key: str, limit: int, period_ms: int, now_ms: int, hit: bool) -> Decision:
        raise self.error

    def release(self, key: str, start_ms: int, period_ms: int, now_ms: int) -> None:
        raise self.error  # as decide() does: an outage, logged once per episode


def redis_settings(cache: BaseCache) -> tuple[str, dict[str, Any]] | None:
    """The URL and connection options of Django's ``RedisCache``, or ``None`` for another cache.

    Django's ``RedisCache`` has no public way to its configuration, so this reads
    ``_servers`` and ``_options`` (unchanged since Django 4.0); if they go, it
    raises ``StoreError``, which the system checks report at start-up.
    """
    if not isinstance(cache, RedisCache):
        return None
    servers = getattr(cache, "_servers", None)
    options = getattr(cache, "_options", None)
    if not isinstance(servers, list | tuple) or not servers or not isinstance(options, dict):
        raise StoreError(
            "Django's RedisCache no longer has the _servers and _options attributes the "
            "throttle store reads its configuration from."
        )
    ignored = {"pool_class", "parser_class", "serializer"}
    return str(servers[0]), {k: v for k, v in options.items() if k not in ignored}


#: Cache backends whose own client the store reuses (``cache.client.get_client()``).
CLIENT_BACKENDS = ("django_redis", "django_valkey")


def cache_client(cache: BaseCache) -> Any | None:
    """A redis-py (or valkey-py) client for ``cache``; ``None`` when it is not Redis-backed.

    django-redis and django-valkey build their own client, for a single server
    or through Sentinel (their connection factory): the store reuses it through
    their public ``get_client(write=True)``, so their configuration is never
    re-parsed. Raises ``StoreError`` for a client with no single primary to
    send the script to (django-redis' ``ShardClient``, a herd client...).
    """
    settings = redis_settings(cache)
    if settings is not None:
        # Imported here: redis-py is an optional dependency (the "redis" extra).
        from drf_hardening.throttling.redis_store import redis_client

        return redis_client(*settings)
    if not type(cache).__module__.startswith(CLIENT_BACKENDS):
        return None
    client = getattr(cache, "client", None)
    name = type(client).__name__
    if not callable(getattr(client, "get_client", None)) or name not in SUPPORTED_CLIENTS:
        raise StoreError(
            f"{type(cache).__module__}.{type(cache).__name__} uses the client class {name}, "
            f"which has no single primary to run the throttle script on (supported: "
            f"{', '.join(SUPPORTED_CLIENTS)})."
        )
    return client.get_client(write=True)  # type: ignore[union-attr]


#: django-redis / django-valkey client classes with one primary behind get_client(write=True).
SUPPORTED_CLIENTS = ("DefaultClient", "SentinelClient", "HerdClient")


def store_setting() -> Any:
    """``DRF_HARDENING["THROTTLE_STORE"]``, ``None`` if unset or invalid (E035 reports it)."""
    return conf.THROTTLE_STORE
