"""Async: what a decision costs from async code, and ASGI workers against sync ones.

Run from the repository root; it starts a redis-server and the servers it measures on
free 127.0.0.1 ports, and stops them by PID::

    .venv/bin/python benchmarks/asgi_bench.py            # 5,000 decisions, 3,000 requests
    .venv/bin/python benchmarks/asgi_bench.py --quick    # 1,000 and 600

1. Cost per decision, in process, on one Redis: ``counting.count`` (a sync view's
   throttle) and ``aio.acount`` (an adrf view's, ``redis.asyncio``), each beside its
   floor, a bare ``EVALSHA`` of a one-line script on the same client, sync or async.
2. One run, the project of ``tests/test_asgi_servers.py`` (``harden(profile="production")``
   on Redis): 4 sync gunicorn workers serving the sync view, then 4 uvicorn workers serving
   the sync view and the adrf view, each under the same load (requests/s, p50, p99).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def configure(redis_url: str) -> None:
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            }
        },
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"anon": "1000000/day"}},
    )
    django.setup()


def per_decision(n: int) -> list[list[str]]:
    """Microseconds per decision (median of 5 runs of ``n``), sync and async."""
    import redis
    import redis.asyncio

    from drf_hardening.throttling import stores
    from drf_hardening.throttling.aio import acount, async_twin
    from drf_hardening.throttling.counting import count
    from drf_hardening.throttling.throttles import AnonRateThrottle

    store: Any = stores.default_store()[0]
    floor_script = "return 1"
    sync_client: redis.Redis = store.client
    sha = sync_client.script_load(floor_script)

    def sync_ours() -> float:
        throttle = AnonRateThrottle()
        start = time.perf_counter()
        for i in range(n):
            count(throttle, f"k{i % 50}")
        return (time.perf_counter() - start) / n * 1e6

    def sync_floor() -> float:
        start = time.perf_counter()
        for _ in range(n):
            sync_client.execute_command("EVALSHA", sha, 0)
        return (time.perf_counter() - start) / n * 1e6

    async def async_ours() -> float:
        throttle = AnonRateThrottle()
        await acount(throttle, "warm")
        start = time.perf_counter()
        for i in range(n):
            await acount(throttle, f"k{i % 50}")
        return (time.perf_counter() - start) / n * 1e6

    async def async_floor() -> float:
        await acount(AnonRateThrottle(), "warm")
        twin = async_twin(store)
        assert twin is not None
        start = time.perf_counter()
        for _ in range(n):
            await twin.client.execute_command("EVALSHA", sha, 0)
        return (time.perf_counter() - start) / n * 1e6

    sync_ours()  # warm up: the script loaded, the connection open
    rows = []
    for name, ours, floor in (
        ("sync view (count)", sync_ours, sync_floor),
        (
            "adrf view (acount)",
            lambda: asyncio.run(async_ours()),
            lambda: asyncio.run(async_floor()),
        ),
    ):
        # Interleaved, so that a neighbour's load on these shared CPUs hits both alike.
        runs = [(ours(), floor()) for _ in range(7)]
        ours_us = statistics.median(r[0] for r in runs)
        floor_us = statistics.median(r[1] for r in runs)
        rows.append([name, f"{ours_us:.1f}", f"{floor_us:.1f}", f"{ours_us - floor_us:.1f}"])
    return rows


def load_table(redis_server: Any, total: int) -> list[list[str]]:
    from tests.e2e.components import Gunicorn
    from tests.e2e.load import run_load
    from tests.test_asgi_servers import PROXIED, SETTINGS, SRC, URLS

    directory = Path(tempfile.mkdtemp(prefix="drfh-asgi-bench-"))
    (directory / "asgi_settings.py").write_text(SETTINGS.replace("DEBUG = True", "DEBUG = False"))
    (directory / "asgi_urls.py").write_text(URLS)
    env = {
        "DJANGO_SETTINGS_MODULE": "asgi_settings",
        "PYTHONPATH": os.pathsep.join([str(directory), str(SRC), str(ROOT)]),
        "REDIS_URL": redis_server.url,
    }
    rows = []
    for label, app, worker_class, path in (
        ("gunicorn, 4 sync workers", "django.core.wsgi:get_wsgi_application()", None, "/sync/"),
        ("gunicorn, 4 uvicorn workers", "django.core.asgi:get_asgi_application()",
         "uvicorn_worker.UvicornWorker", "/sync/"),
        ("gunicorn, 4 uvicorn workers", "django.core.asgi:get_asgi_application()",
         "uvicorn_worker.UvicornWorker", "/async/"),
    ):  # fmt: skip
        server = Gunicorn(app=app, env=env, chdir=directory, workers=4, worker_class=worker_class)
        server.start()
        try:
            # A new client address per request: every request is counted and allowed.
            def headers(i: int) -> dict[str, str]:
                return {
                    **PROXIED,
                    "X-Forwarded-For": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
                }

            run_load(f"{server.url}{path}", total=200, concurrency=16, headers=headers)  # warm up
            redis_server.flush()
            start = time.perf_counter()
            outcomes = run_load(f"{server.url}{path}", total=total, concurrency=16, headers=headers)
            seconds = time.perf_counter() - start
        finally:
            server.cleanup()
        elapsed = sorted(o.elapsed * 1000 for o in outcomes)
        ok = sum(o.status == 200 for o in outcomes)
        view = (
            "adrf view, AsyncAnonRateThrottle"
            if path == "/async/"
            else "DRF view, AnonRateThrottle"
        )
        rows.append([
            label, view, f"{ok}/{total}", f"{total / seconds:.0f}",
            f"{elapsed[len(elapsed) // 2]:.1f}", f"{elapsed[int(len(elapsed) * 0.99)]:.1f}",
        ])  # fmt: skip
    return rows


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n{title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    decisions, requests = (1000, 600) if args.quick else (5000, 3000)
    import redis
    import uvicorn
    from tests.services import running_redis

    with running_redis() as redis_server:
        configure(redis_server.url)
        print(
            f"Python {platform.python_version()}, redis-py {redis.__version__}, "
            f"uvicorn {uvicorn.__version__}, {os.cpu_count()} CPUs"
        )
        print_table(
            f"Cost per decision, microseconds (median of 7 interleaved runs of {decisions})",
            ["caller", "ours", "floor (bare EVALSHA)", "above the floor"],
            per_decision(decisions),
        )
        print_table(
            f"{requests} requests, 16 concurrent clients, Redis cache (one run)",
            ["server", "view", "200s", "requests/s", "p50 ms", "p99 ms"],
            load_table(redis_server, requests),
        )


if __name__ == "__main__":
    main()
