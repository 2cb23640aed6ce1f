"""drf_hardening.throttling.topology off the paths the topology suites take.

Validation of odd values, a Sentinel address written as a pair, a cluster's TLS and
credentials (the cluster client connects when built, so its class is replaced here), the
mode of a unix-socket client, and ``store_mode`` for a store without a client and for one
that cannot be reached.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis

from drf_hardening.throttling import topology
from tests.services import free_port


def test_unset_is_valid() -> None:
    assert topology.validate_store(None) is None


@pytest.mark.parametrize("entry", [26379, ["host"], ("host", "26379"), None])
def test_a_sentinel_entry_of_another_shape_is_refused(entry: Any) -> None:
    problem = topology.validate_store({"SENTINELS": [entry], "SERVICE_NAME": "mymaster"})
    assert problem == f"SENTINELS entry {entry!r} must be 'host:port' or ('host', port)"


def test_a_sentinel_address_may_be_a_pair() -> None:
    store = {"SENTINELS": [("127.0.0.1", 26380), "[::1]:26381"], "SERVICE_NAME": "mymaster"}
    assert topology.validate_store(store) is None
    client = topology.build_client(store, timeout=0.5)  # connects on first use only
    sentinels = client.connection_pool.sentinel_manager.sentinels
    addresses = [
        (s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
        for s in sentinels
    ]
    assert addresses == [("127.0.0.1", 26380), ("::1", 26381)]


class RecordingCluster:
    """Stands in for RedisCluster, which connects to its seed nodes when it is built."""

    def __init__(self, startup_nodes: list[Any], **kwargs: Any) -> None:
        self.startup_nodes = startup_nodes
        self.kwargs = kwargs


def test_cluster_nodes_carry_tls_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("redis.cluster.RedisCluster", RecordingCluster)
    store = {"CLUSTER_NODES": ["rediss://app%40eu:p%2Fss@10.0.0.1:7000", "valkeys://10.0.0.2"]}
    assert topology.validate_store(store) is None

    client = topology.build_client(store, timeout=0.5)

    assert [(n.host, n.port) for n in client.startup_nodes] == [
        ("10.0.0.1", 7000),
        ("10.0.0.2", 6379),
    ]
    assert client.kwargs["ssl"] is True
    assert (client.kwargs["username"], client.kwargs["password"]) == ("app@eu", "p/ss")


def test_a_plain_cluster_sends_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("redis.cluster.RedisCluster", RecordingCluster)
    client = topology.build_client({"CLUSTER_NODES": ["redis://10.0.0.1:7000"]}, timeout=0.5)
    assert not {"ssl", "username", "password"} & set(client.kwargs)


def test_mode_of_a_unix_socket_client() -> None:
    client = redis.Redis(unix_socket_path="/run/redis/redis.sock")
    assert topology.mode(client) == "standalone unix:/run/redis/redis.sock"


def test_store_mode_of_a_store_without_a_client(settings: Any) -> None:
    settings.DRF_HARDENING = {}  # THROTTLE_CACHE 'default': tests/settings.py's LocMemCache
    name, _, kind = topology.store_mode().partition(": ")
    assert name == "cache 'default'"
    assert kind.endswith("Store")


def test_store_mode_of_an_unreachable_sentinel(settings: Any) -> None:
    # The report prints even when the store is down: nothing listens on this port.
    store = {"SENTINELS": [f"127.0.0.1:{free_port()}"], "SERVICE_NAME": "mymaster"}
    settings.DRF_HARDENING = {"THROTTLE_STORE": store}
    assert topology.store_mode() == (
        "THROTTLE_STORE (sentinel service 'mymaster'): unreachable (MasterNotFoundError)"
    )
