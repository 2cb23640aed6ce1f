"""Which outage episode a failed decision belongs to: its store, or on a cluster its node.

An outage is logged once when it starts and once when it ends (``events``). On a
Redis Cluster a dead primary takes only its slots down: were the episode the
whole store's, every decision on a healthy shard would end it ("answers again")
and the next one on the dead shard start it again, a warning per request. So a
cluster's episodes are per node: the primary that held the key's slot when it
failed; a decision on any key of that slot (answered by the promoted replica)
ends it, and the healthy shards' decisions log nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drf_hardening.throttling.stores import Store

#: (store name, slot) -> the episode that slot's failure started; empty in the common case.
_by_slot: dict[tuple[str, int], str] = {}


def _cluster(store: Store) -> Any | None:
    client = getattr(store, "client", None)
    return client if hasattr(client, "get_node_from_key") else None  # a RedisCluster


def failed(store: Store, name: str, key: str) -> str:
    """The episode a failure of ``store`` (named ``name``) on ``key`` belongs to."""
    client = _cluster(store)
    if client is None:
        return name
    redis_key = store.redis_key(key)  # type: ignore[attr-defined]  # a RedisStore
    try:
        node = client.get_node_from_key(redis_key)
    except Exception:  # no slot map at all (every node unreachable): the store's episode
        return name
    episode = f"{name}, node {node.name}"
    _by_slot[(name, client.keyslot(redis_key))] = episode
    return episode


def ended(store: Store, name: str, key: str) -> str:
    """The episode that an answer of ``store`` on ``key`` ends (``name`` if none of a node)."""
    client = _cluster(store) if _by_slot else None
    if client is None:
        return name
    slot = client.keyslot(store.redis_key(key))  # type: ignore[attr-defined]  # a RedisStore
    return _by_slot.pop((name, slot), name)
