"""``DRF_HARDENING["THROTTLE_STORE"]``: where the counters live when it is not a cache.

One of three topologies, each driven by redis-py's own client (never a
hand-rolled cluster router or failover)::

    {"URL": "redis://10.0.0.1:6379/0"}                      # one server (rediss://, unix://)
    {"CLUSTER_NODES": ["redis://10.0.0.1:7000", ...]}         # redis.cluster.RedisCluster
    {"SENTINELS": ["10.0.0.1:26379", ...], "SERVICE_NAME": "mymaster", "DB": 0}
                                                              # Sentinel(...).master_for(...)

``OPTIONS`` (a dict) goes to the client as keyword arguments (``password``,
``ssl_ca_certs``...). ``valkey://`` and ``valkeys://`` are aliases of
``redis://`` and ``rediss://``: Valkey speaks the same protocol.

``validate_store`` is ``conf``'s validator for the key, so this module imports
neither Django nor redis-py at module level (``conf`` imports it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

KEYS = ("URL", "CLUSTER_NODES", "SENTINELS", "SERVICE_NAME", "DB", "OPTIONS")
SCHEMES = ("redis", "rediss", "unix", "valkey", "valkeys")
#: The hint of drf_hardening.E035.
HINT = (
    'Write {"URL": "redis://host:6379/0"}, {"CLUSTER_NODES": ["redis://host:7000", ...]} '
    'or {"SENTINELS": ["host:26379", ...], "SERVICE_NAME": "mymaster"}; '
    "OPTIONS is a dict of client keyword arguments. See docs/scaling.md."
)


def _url_problem(name: str, url: Any) -> str | None:
    if not isinstance(url, str):
        return f"{name} must be a string URL, not {type(url).__name__}"
    if urlsplit(url).scheme not in SCHEMES:
        return f"{name} {url!r} must start with one of {', '.join(s + '://' for s in SCHEMES)}"
    return None


def _sentinel_problem(entry: Any) -> str | None:
    if isinstance(entry, str):
        host, _, port = entry.rpartition(":")
        if host and port.isdigit():
            return None
    elif (
        isinstance(entry, list | tuple)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], int)
    ):
        return None
    return f"SENTINELS entry {entry!r} must be 'host:port' or ('host', port)"


def _list_problem(name: str, value: Any) -> str | None:
    if isinstance(value, str):
        return f"{name} is the string {value!r}, not a list: write [{value!r}]"
    if not isinstance(value, list | tuple) or not value:
        return f"{name} must be a non-empty list"
    return None


def validate_store(value: Any) -> str | None:
    """What is wrong with a ``THROTTLE_STORE`` value, or ``None`` (``None`` itself is unset)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return f"it must be a dict, not {type(value).__name__}"
    unknown = sorted(map(str, set(value) - set(KEYS)))
    if unknown:
        return f"unknown keys {', '.join(unknown)} (the keys are {', '.join(KEYS)})"
    modes = [key for key in ("URL", "CLUSTER_NODES", "SENTINELS") if key in value]
    if len(modes) != 1:
        return "it must have exactly one of URL, CLUSTER_NODES and SENTINELS" + (
            f", not {' and '.join(modes)} together" if modes else ""
        )
    options = value.get("OPTIONS", {})
    if not isinstance(options, Mapping) or not all(isinstance(k, str) for k in options):
        return f"OPTIONS must be a dict of keyword arguments, not {options!r}"
    db = value.get("DB", 0)
    if not isinstance(db, int) or isinstance(db, bool) or db < 0:
        return f"DB must be an int >= 0, not {db!r}"
    if "SERVICE_NAME" in value and modes != ["SENTINELS"]:
        return "SERVICE_NAME goes with SENTINELS only"
    if modes == ["URL"]:
        return _url_problem("URL", value["URL"])
    if modes == ["CLUSTER_NODES"]:
        if "DB" in value:
            return "DB cannot go with CLUSTER_NODES: a cluster has only database 0"
        nodes = value["CLUSTER_NODES"]
        problem = _list_problem("CLUSTER_NODES", nodes)
        for node in () if problem else nodes:
            problem = problem or _url_problem("CLUSTER_NODES entry", node)
        return problem
    sentinels = value["SENTINELS"]
    problem = _list_problem("SENTINELS", sentinels)
    for entry in () if problem else sentinels:
        problem = problem or _sentinel_problem(entry)
    if problem is None and not isinstance(value.get("SERVICE_NAME"), str):
        problem = "SENTINELS needs SERVICE_NAME, the name the sentinels monitor (a string)"
    return problem


def redis_url(url: str) -> str:
    """``url`` with ``valkey://``/``valkeys://`` written as redis-py's ``redis://``/``rediss://``."""
    scheme, sep, rest = url.partition("://")
    return {"valkey": "redis", "valkeys": "rediss"}.get(scheme, scheme) + sep + rest


def _sentinel_address(entry: str | tuple[str, int] | list[Any]) -> tuple[str, int]:
    if isinstance(entry, str):
        host, _, port = entry.rpartition(":")
        return host.strip("[]"), int(port)
    return str(entry[0]), int(entry[1])


def client_kwargs(options: Mapping[str, Any], timeout: float) -> dict[str, Any]:
    """``options`` with the library's timeouts, and bytes replies (the stores parse them)."""
    return {
        **options,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "decode_responses": False,
    }


def build_client(store: Mapping[str, Any], timeout: float, asyncio: bool = False) -> Any:
    """The redis-py client of a valid ``THROTTLE_STORE``, with ``timeout`` on every socket.

    ``asyncio=True``: the same client from ``redis.asyncio`` (same classes, same
    arguments), for decisions made on an event loop (``throttling.aio``).
    """
    if asyncio:
        import redis.asyncio as redis
        from redis.asyncio.cluster import ClusterNode, RedisCluster
        from redis.asyncio.sentinel import Sentinel
    else:
        import redis  # type: ignore[no-redef]
        from redis.cluster import ClusterNode, RedisCluster  # type: ignore[assignment]
        from redis.sentinel import Sentinel  # type: ignore[assignment]

    kwargs = client_kwargs(store.get("OPTIONS", {}), timeout)
    if "URL" in store:
        return redis.Redis.from_url(redis_url(store["URL"]), **kwargs)
    if "CLUSTER_NODES" in store:
        nodes = []
        for node in store["CLUSTER_NODES"]:
            parts = urlsplit(redis_url(node))
            nodes.append(ClusterNode(parts.hostname or "127.0.0.1", parts.port or 6379))
            if parts.scheme == "rediss":
                kwargs.setdefault("ssl", True)
            if parts.password:
                kwargs.setdefault("password", unquote(parts.password))
            if parts.username:
                kwargs.setdefault("username", unquote(parts.username))
        return RedisCluster(startup_nodes=nodes, **kwargs)
    addresses = [_sentinel_address(entry) for entry in store["SENTINELS"]]
    sentinel = Sentinel(addresses, **kwargs)  # type: ignore[no-untyped-call]
    service, db = store["SERVICE_NAME"], store.get("DB", 0)
    return sentinel.master_for(service, db=db, **kwargs)


def describe(store: Mapping[str, Any]) -> str:
    """The topology in words, without credentials: the store's name in logs and reports."""
    if "URL" in store:
        parts = urlsplit(store["URL"])
        where = parts.path if parts.scheme == "unix" else f"{parts.hostname}:{parts.port or 6379}"
        return f"THROTTLE_STORE (standalone {where})"
    if "CLUSTER_NODES" in store:
        return f"THROTTLE_STORE (cluster of {len(store['CLUSTER_NODES'])} seed nodes)"
    return f"THROTTLE_STORE (sentinel service {store['SERVICE_NAME']!r})"


def mode(client: Any) -> str:
    """How ``client`` reaches Redis, in words; asks the server at most once (a Sentinel)."""
    if hasattr(client, "get_primaries"):  # redis.cluster.RedisCluster
        return f"cluster with {len(client.get_primaries())} primaries"
    pool = client.connection_pool
    if hasattr(pool, "get_master_address"):  # a Sentinel pool: ask who the primary is now
        host, port = pool.get_master_address()
        return f"sentinel primary at {host}:{port}"
    kwargs = pool.connection_kwargs
    if "path" in kwargs:
        return f"standalone unix:{kwargs['path']}"
    return f"standalone {kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"


def store_mode() -> str:
    """The throttle store and its mode, for ``hardening_report``: ``"cache 'default': ..."``."""
    from drf_hardening.throttling.stores import default_store

    try:
        store, name = default_store()
    except Exception as exc:  # no THROTTLE_CACHE cache: the checks list why (caches.E001...)
        return f"none ({type(exc).__name__})"
    client = getattr(store, "client", None)
    if client is None:
        return f"{name}: {type(store).__name__}"
    try:
        return f"{name}: {mode(client)}"
    except Exception as exc:  # the report must print even when the store is down
        return f"{name}: unreachable ({type(exc).__name__})"
