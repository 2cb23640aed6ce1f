"""Outage episodes per cluster node (throttling.episodes), as units; the real cluster's
failover is in tests/test_scaling_failover.py."""

from __future__ import annotations

from typing import Any

import pytest

from drf_hardening.throttling import episodes


class Node:
    name = "127.0.0.1:7001"


class ClusterClient:
    """What episodes reads of a RedisCluster: the node and slot of a key."""

    def __init__(self, slot_map: bool = True) -> None:
        self.slot_map = slot_map

    def get_node_from_key(self, key: str) -> Node:
        if not self.slot_map:
            raise RuntimeError("no slot map: every node is unreachable")
        return Node()

    def keyslot(self, key: str) -> int:
        return 42 if "dead" in key else 7


class Store:
    def __init__(self, client: Any) -> None:
        self.client = client

    def redis_key(self, key: str) -> str:
        return f"drfh:throttle:{{{key}}}"


@pytest.fixture(autouse=True)
def empty() -> None:
    episodes._by_slot.clear()


def test_a_cluster_failure_is_the_nodes_episode_until_its_slot_answers() -> None:
    store = Store(ClusterClient())
    assert episodes.failed(store, "S", "dead") == "S, node 127.0.0.1:7001"  # type: ignore[arg-type]
    # A healthy shard's answer ends nothing of the node's.
    assert episodes.ended(store, "S", "alive") == "S"  # type: ignore[arg-type]
    assert episodes.ended(store, "S", "dead") == "S, node 127.0.0.1:7001"  # type: ignore[arg-type]
    assert episodes._by_slot == {}


def test_without_a_slot_map_the_episode_is_the_stores() -> None:
    store = Store(ClusterClient(slot_map=False))
    assert episodes.failed(store, "S", "dead") == "S"  # type: ignore[arg-type]


def test_a_single_server_episode_is_the_stores() -> None:
    assert episodes.failed(Store(object()), "S", "k") == "S"  # type: ignore[arg-type]
    episodes._by_slot[("S", 1)] = "S, node x"
    assert episodes.ended(Store(object()), "S", "k") == "S"  # type: ignore[arg-type]
