"""Checks of where the throttle counters live: ``THROTTLE_STORE`` and ``THROTTLE_CACHE``.

Ids ``drf_hardening.E035``-``E039`` (throttling range), listed in docs/checks.md
and explained in docs/scaling.md. A store the library cannot drive atomically
across processes is an error, never a silent fall-back to counting per process.
``DEPLOY_CHECKS`` connect to the store once, so they run only under
``check --deploy``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error

from drf_hardening.checks._common import Messages
from drf_hardening.conf import conf
from drf_hardening.throttling import stores

STORE = 'DRF_HARDENING["THROTTLE_STORE"]'
REDIS_SCHEMES = ("redis://", "rediss://", "valkey://", "valkeys://")
KNOWN_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django_valkey.cache.ValkeyCache",
)


def _raw_store() -> Any:
    user = getattr(settings, "DRF_HARDENING", {})
    return user.get("THROTTLE_STORE") if isinstance(user, dict) else None


def _locations(config: Any) -> list[str]:
    location = config.get("LOCATION", "") if isinstance(config, dict) else ""
    entries = location.split(",") if isinstance(location, str) else location
    return [entry.strip() for entry in entries if isinstance(entry, str)]


def check_throttle_cache_backend(**kwargs: Any) -> Messages:
    """``E036``/``E037``: a Redis-like cache the store cannot drive, or cannot read."""
    if _raw_store() is not None:
        return []  # THROTTLE_STORE counts; THROTTLE_CACHE is not used for counting
    alias = conf.THROTTLE_CACHE
    config = getattr(settings, "CACHES", {}).get(alias)
    if not isinstance(config, dict):
        return []  # Django's own check (or drf_hardening.E023) reports it
    backend = str(config.get("BACKEND", ""))
    where = f'CACHES[{alias!r}] (DRF_HARDENING["THROTTLE_CACHE"])'
    if backend not in KNOWN_BACKENDS:
        if any(url.startswith(REDIS_SCHEMES) for url in _locations(config)):
            return [
                Error(
                    f"The throttle cache {where} has the Redis/Valkey LOCATION "
                    f"{config.get('LOCATION')!r} but the backend {backend}, which the throttles "
                    "cannot drive atomically: they would count in each process on its own.",
                    hint=f"Use one of {', '.join(KNOWN_BACKENDS)}, or set {STORE} "
                    "(docs/scaling.md).",
                    id="drf_hardening.E036",
                )
            ]
        return []
    from django.core.cache import caches

    store = stores.get_store(caches[alias])
    if isinstance(store, stores.BrokenStore):
        return [
            Error(
                f"The throttle cache {where} cannot be used for throttling: {store.error} "
                "Every decision would follow THROTTLE_FAIL_OPEN.",
                hint=f"Set {STORE} to the same server (docs/scaling.md), or use a supported "
                "client.",
                id="drf_hardening.E037",
            )
        ]
    return []


def check_store_reachable(**kwargs: Any) -> Messages:
    """``E038``/``E039`` (``check --deploy``): one connection to the store, as requests will."""
    name = "the throttle cache"
    try:
        # Building the client parses its URL too: a bad one is this error, not a crash.
        store, name = stores.default_store()
        client = getattr(store, "client", None)
        if client is None:
            return []  # not Redis: nothing to connect to
        client.execute_command("PING")
        info = None if hasattr(client, "get_nodes") else client.execute_command("INFO", "cluster")
    except Exception as exc:  # whatever the client raises, the store is not usable
        return [
            Error(
                f"The throttle store ({name}) does not answer: {type(exc).__name__}: {exc}. "
                "Every decision would follow THROTTLE_FAIL_OPEN.",
                hint="Check the address, the credentials in OPTIONS, and the firewall.",
                id="drf_hardening.E038",
            )
        ]
    # redis-py parses INFO into a dict; valkey-py too.
    if isinstance(info, dict) and str(info.get("cluster_enabled")) == "1":
        return [
            Error(
                f"The throttle store ({name}) is a node of a Redis Cluster addressed as a "
                "single server: decisions on keys of the other nodes' slots fail "
                "with MOVED and follow THROTTLE_FAIL_OPEN.",
                hint=f'Set {STORE} = {{"CLUSTER_NODES": ["redis://host:port", ...]}} '
                "(docs/scaling.md).",
                id="drf_hardening.E039",
            )
        ]
    return []


CHECKS = [check_throttle_cache_backend]
#: Registered with ``deploy=True``: they connect to the store.
DEPLOY_CHECKS = [check_store_reachable]
