"""Sentinel failover: THROTTLE_FAIL_OPEN during the switch, exact again after it, no restart."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import redis
from django.test import Client

from drf_hardening.throttling import events
from tests.topologies import (  # noqa: F401 - the fixtures
    redis_cluster_fixture,
    sentinel_set_fixture,
    wait_until,
)

pytestmark = [pytest.mark.redis, pytest.mark.urls("tests.urls_throttling"), pytest.mark.django_db]


def test_sentinel_failover_fails_open_then_counts_again(sentinel_set, settings, caplog) -> None:
    settings.DRF_HARDENING = {
        "THROTTLE_STORE": {"SENTINELS": sentinel_set.sentinels, "SERVICE_NAME": "mymaster"}
    }
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "3/min"}}
    events._failing.clear()
    client = Client()
    assert [client.get("/user/").status_code for _ in range(4)] == [200, 200, 200, 429]
    sentinel = redis.Redis(port=sentinel_set.sentinel_ports[0])
    old = sentinel_set.primary_port
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        sentinel_set.processes.stop(old)  # the primary dies
        during: list[int] = []

        def promoted() -> bool:
            during.append(client.get("/user/", REMOTE_ADDR="198.51.100.9").status_code)
            address = sentinel.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME mymaster")  # type: ignore[no-untyped-call]
            return bool(int(address[1]) != old)

        wait_until(promoted, "no replica was promoted", timeout=30)
        sentinel_set.primary_port, sentinel_set.replica_port = sentinel_set.replica_port, old
        # The new primary answers: the client follows it, with no restart.
        wait_until(
            lambda: (
                client.get("/user/", REMOTE_ADDR="192.0.2.1").status_code == 200
                and not events.failing
            ),
            "the store did not recover",
            timeout=30,
        )
    assert during
    assert set(during) <= {200, 429}  # THROTTLE_FAIL_OPEN=True: never a 5xx
    unavailable = [
        r for r in caplog.records if getattr(r, "event", "") == "throttle_store_unavailable"
    ]
    assert len(unavailable) == 1  # one warning for the whole episode
    codes = [client.get("/user/", REMOTE_ADDR="192.0.2.2").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # exact again on the promoted replica
    events._failing.clear()


def restart_cluster_node(cluster: Any, port: int) -> None:
    """Start a killed node again: it rejoins as a replica of the primary that replaced it."""
    from tests.topologies import binary, server_args

    redis_server = binary("redis-server", "apt-get install -y redis-server")
    cluster.processes.start(
        port,
        server_args(
            redis_server, port, "--cluster-enabled", "yes",
            "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "1000",
        ),
    )  # fmt: skip
    wait_until(
        lambda: all(
            redis.Redis(port=p).execute_command("CLUSTER INFO")["cluster_state"] == "ok"  # type: ignore[no-untyped-call]
            for p in cluster.ports
        ),
        "the cluster did not heal",
    )


def test_cluster_primary_failover_is_one_nodes_episode(redis_cluster, settings, caplog) -> None:
    settings.DRF_HARDENING = {"THROTTLE_STORE": {"CLUSTER_NODES": redis_cluster.nodes}}
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "3/min"}}
    events._failing.clear()
    probe = redis_cluster.client()

    def node_port(ip: str, client: Any = probe) -> int:
        return int(client.get_node_from_key(f"drfh:throttle:{{throttle_user_{ip}}}").port)

    victim_ip = "198.51.100.20"
    old = node_port(victim_ip)
    # A client whose key lives on another primary: its shard stays healthy.
    healthy_ip = next(
        ip for ip in (f"203.0.113.{n}" for n in range(1, 255)) if node_port(ip) != old
    )
    client = Client()
    assert [client.get("/user/", REMOTE_ADDR=victim_ip).status_code for _ in range(4)] == [
        200, 200, 200, 429,
    ]  # fmt: skip
    survivor = redis.Redis(port=next(p for p in redis_cluster.ports if p != old))

    def owner_of(ip: str) -> int:
        """The port of the primary that a live node says holds ``ip``'s slot now."""
        key = f"drfh:throttle:{{throttle_user_{ip}}}"
        slot = int(survivor.execute_command("CLUSTER KEYSLOT", key))  # type: ignore[no-untyped-call]
        nodes = survivor.execute_command("CLUSTER NODES")  # type: ignore[no-untyped-call]
        return next(
            (
                int(address.rpartition(":")[2].partition("@")[0])
                for address, node in nodes.items()
                if "master" in node["flags"]
                and "fail" not in node["flags"]
                and any(int(a) <= slot <= int(b) for a, b in node["slots"])
            ),
            old,  # no live primary holds it yet: not promoted
        )

    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        redis_cluster.processes.stop(old)  # the primary of the victim's slot dies
        during: list[int] = []
        healthy: list[int] = []

        def promoted() -> bool:
            during.append(client.get("/user/", REMOTE_ADDR=victim_ip).status_code)
            healthy.append(client.get("/user/", REMOTE_ADDR=healthy_ip).status_code)
            return owner_of(victim_ip) != old

        wait_until(promoted, "no replica was promoted", timeout=60)

        def recovered() -> bool:
            during.append(client.get("/user/", REMOTE_ADDR=victim_ip).status_code)
            return not events.failing

        # A decision on the victim's slot, answered by the promoted replica, ends the episode.
        wait_until(recovered, "the store did not recover", timeout=60)
    try:
        assert during
        assert set(during) <= {200, 429}
        assert set(healthy) <= {200, 429}
        told = [
            (r.event, r.throttle_store)
            for r in caplog.records
            if getattr(r, "event", "").startswith("throttle_store_")
        ]
        episode = f"{settings_store_name(redis_cluster)}, node 127.0.0.1:{old}"
        # One warning when the node failed, one when its slots answered again: for that node
        # only; the healthy shard's decisions ended no episode and started none.
        assert told == [
            ("throttle_store_unavailable", episode),
            ("throttle_store_recovered", episode),
        ]
        codes = [client.get("/user/", REMOTE_ADDR="192.0.2.31").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]  # exact again on the promoted replica
    finally:
        events._failing.clear()
        restart_cluster_node(redis_cluster, old)


def settings_store_name(cluster: Any) -> str:
    from drf_hardening.throttling.topology import describe

    return describe({"CLUSTER_NODES": cluster.nodes})
