"""Exactness on every topology: N processes on one key at ``100/day`` for S seconds.

Run from the repository root; it starts a Redis Cluster (3 primaries, 3
replicas), a Sentinel set (3 sentinels, 1 primary, 1 replica) and a Valkey
server on free 127.0.0.1 ports with ``tests.topologies``, and stops them by PID::

    .venv/bin/python benchmarks/scaling_bench.py            # 8 processes, 2 s, 5 repeats
    .venv/bin/python benchmarks/scaling_bench.py --quick    # 4 processes, 1 s, 1 repeat

Ours counts through ``DRF_HARDENING["THROTTLE_STORE"]``. DRF's ``UserRateThrottle``
runs beside it on Django's ``RedisCache`` at the same primary (Sentinel, Valkey);
Django's cache has no cluster client, so DRF has no number on the cluster.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def hammer(
    impl: str, store: dict[str, Any], url: str, ip: str, barrier: Any, seconds: float, results: Any
) -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
        CACHES={
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
        },
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": "100/day"}},
        DRF_HARDENING={"THROTTLE_STORE": store},
    )
    django.setup()
    # A refusal builds its event but writes no line (DRF logs nothing).
    logging.getLogger("drf_hardening.security").setLevel(logging.ERROR)
    from django.http import HttpRequest
    from rest_framework import throttling as drf
    from rest_framework.request import Request

    from drf_hardening import throttling as ours

    cls = drf.AnonRateThrottle if impl == "drf" else ours.AnonRateThrottle

    def request(ip: str) -> Request:
        django_request = HttpRequest()
        django_request.META["REMOTE_ADDR"] = ip
        return Request(django_request)

    cls().allow_request(request("192.0.2.1"), None)  # type: ignore[arg-type]  # connect
    barrier.wait()
    allowed = attempts = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        allowed += cls().allow_request(request(ip), None)  # type: ignore[arg-type]
        attempts += 1
    results.put((allowed, attempts))


_runs = iter(range(1, 1 << 24))


def run(impl: str, store: dict[str, Any], url: str, procs: int, seconds: float) -> tuple[int, int]:
    """One run on a key no run used before (a client IP of its own)."""
    n = next(_runs)
    ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(procs), context.Queue()
    args = (impl, store, url, ip, barrier, seconds, results)
    workers = [context.Process(target=hammer, args=args) for _ in range(procs)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    return sum(a for a, _ in outcomes), sum(t for _, t in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.procs, args.seconds, args.repeats = 4, 1.0, 1

    import redis
    from tests import topologies

    started = []
    try:
        valkey = topologies.start_valkey(p := topologies.Processes())
        started.append(p)
        sentinel = topologies.start_sentinel_set(p := topologies.Processes())
        started.append(p)
        cluster = topologies.start_cluster(p := topologies.Processes())
        started.append(p)
        cases = [
            ("Redis Cluster (3+3)", {"CLUSTER_NODES": cluster.nodes[:2]}, cluster.nodes[0], False),
            (
                "Sentinel (3 sentinels, 1+1)",
                {"SENTINELS": sentinel.sentinels, "SERVICE_NAME": sentinel.service},
                f"redis://127.0.0.1:{sentinel.primary_port}/0",
                True,
            ),
            ("Valkey", {"URL": valkey.url}, valkey.url.replace("valkey://", "redis://"), True),
        ]
        print(f"# scaling_bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
        print(
            f"Python {platform.python_version()}, redis-py {redis.__version__}, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; "
            f"{args.procs} processes x {args.seconds:g} s on one key at 100/day"
        )
        print("\n| topology | repeat | ours allowed | ours attempts | DRF allowed | DRF attempts |")
        print("|---|---|---|---|---|---|")
        for name, store, url, drf_too in cases:
            for repeat in range(args.repeats):
                ours = run("ours", store, url, args.procs, args.seconds)
                drf = run("drf", store, url, args.procs, args.seconds) if drf_too else None
                drf_cells = f"{drf[0]} | {drf[1]:,}" if drf else "n/a (no cluster client) | n/a"
                print(f"| {name} | {repeat + 1} | {ours[0]} | {ours[1]:,} | {drf_cells} |")
        print(f"\nload at the end: {os.getloadavg()[0]:.2f}")
    finally:
        for processes in started:
            processes.stop_all()


if __name__ == "__main__":
    main()
