"""Throttle benchmark: drf-hardening's throttles against DRF's, on a real Redis and on LocMem.

Run from the repository root (it starts its own redis-server on a free port
and stops it by PID)::

    .venv/bin/python benchmarks/throttle_bench.py            # the tables of docs/throttling.md
    .venv/bin/python benchmarks/throttle_bench.py --quick    # fewer rounds, for a smoke run

Tables:
1. cost per decision (median µs of single ``allow_request`` calls, a new
   throttle per call as DRF's ``APIView`` makes), allowed and denied, at
   ``100/minute`` and ``10000/day``, one key, Redis on loopback, beside the
   floor of any decision (a bare ``EVALSHA`` of ``return 1`` on the same
   client); ratios and the overhead share ``(ours - floor) / (DRF - floor)``
   are computed within each round (each round is printed), then the median
   over rounds is taken. ``--cost-only`` stops after this table;
2. bytes per key (``MEMORY USAGE``);
3. exactness: N processes hammer one key for S seconds at ``100/day``;
4. round trips per decision (``MONITOR``, commands run by scripts left out;
   ``INFO commandstats`` beside it);
5. the same cost table on LocMem (the development default).

The security logger is set to ERROR, so a refusal builds its event but
writes no line (DRF logs nothing).
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
REDIS_URL_ENV = "THROTTLE_BENCH_REDIS_URL"


def configure_django(redis_url: str) -> None:
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        SECRET_KEY="bench",
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework"],
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
            },
            "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        },
        REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"user": None, "anon": None}},
        DRF_HARDENING={},
    )
    django.setup()
    logging.getLogger("drf_hardening.security").setLevel(logging.ERROR)


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now


_override: Any = None


def use_settings(**values: Any) -> None:
    """Settings as ``override_settings`` gives them (the stores follow its signal)."""
    global _override
    from django.test.utils import override_settings

    if _override is not None:
        _override.disable()
    _override = override_settings(**values)
    _override.enable()


def throttle_classes(rate: str, cache_alias: str, clock: Clock) -> dict[str, type]:
    """DRF's and our UserRateThrottle at ``rate`` on ``cache_alias``, on ``clock``.

    Each reaches the cache the way it does by default: DRF through its
    ``default_cache`` proxy (here one for ``cache_alias``), ours through
    ``THROTTLE_CACHE``.
    """
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy
    from rest_framework import throttling as drf

    from drf_hardening import throttling as ours

    use_settings(DRF_HARDENING={"THROTTLE_CACHE": cache_alias})
    attrs = {"rate": rate, "timer": lambda self: clock.now}
    proxy = ConnectionProxy(caches, cache_alias)
    return {
        "drf": type("DRFUser", (drf.UserRateThrottle,), {**attrs, "cache": proxy}),
        "ours": type("OurUser", (ours.UserRateThrottle,), attrs),
    }


def make_request(user_id: int) -> Any:
    from django.http import HttpRequest
    from rest_framework.request import Request

    request = Request(HttpRequest())
    request.META["REMOTE_ADDR"] = "198.51.100.7"
    request.user = SimpleNamespace(is_authenticated=True, pk=user_id)  # type: ignore[assignment]
    return request


class Case:
    """One throttle, one key, in a state where every call is allowed (or denied)."""

    def __init__(self, name: str, cls: type, rate: str, allowed: bool, user_id: int) -> None:
        from drf_hardening.throttling import parse_rate

        self.name, self.cls, self.allowed, self.user_id = name, cls, allowed, user_id
        self.limit, self.duration = parse_rate(rate)
        self.clock: Clock = cls.timer.__closure__[0].cell_contents  # type: ignore[attr-defined]
        # A client at exactly the limit: each call lets one old request expire.
        self.step = self.duration / self.limit + 1e-6
        self.fill()

    def fill(self) -> None:
        """Spend the whole quota, the way a busy client would have."""
        for _ in range(self.limit):
            if self.allowed:  # spread over the period: from now on one expires per step
                self.clock.now += self.step
            self.cls().allow_request(make_request(self.user_id), None)

    def run(self, n: int) -> list[float]:
        samples = []
        for _ in range(n):
            request = make_request(self.user_id)
            if self.allowed:
                self.clock.now += self.step
            throttle = self.cls()
            start = time.perf_counter_ns()
            result = throttle.allow_request(request, None)
            samples.append((time.perf_counter_ns() - start) / 1000)
            if result is not self.allowed:
                raise AssertionError(f"{self.name}: expected allowed={self.allowed}")
        return samples


class FloorCase:
    """The floor of any Redis decision: a bare ``EVALSHA`` of a one-line script, same client.

    Between calls it does what the throttle cases do untimed (a new request and
    a new throttle), so each call starts as cold as theirs; ``tight=True`` calls
    back to back instead, with everything warm, which is faster.
    """

    SCRIPT = "return 1"

    def __init__(self, cache_alias: str, cls: type, user_id: int, tight: bool = False) -> None:
        from django.core.cache import caches

        from drf_hardening.throttling.stores import get_store

        self.client: Any = get_store(caches[cache_alias]).client  # type: ignore[attr-defined]
        self.sha = self.client.script_load(self.SCRIPT)
        self.cls, self.user_id, self.tight = cls, user_id, tight

    def run(self, n: int) -> list[float]:
        samples = []
        evalsha, sha = self.client.evalsha, self.sha
        for _ in range(n):
            if not self.tight:
                make_request(self.user_id)
                self.cls()
            start = time.perf_counter_ns()
            evalsha(sha, 0)
            samples.append((time.perf_counter_ns() - start) / 1000)
        return samples


def share(ours: float, drf: float, floor: float) -> float:
    """Our overhead above the floor as a share of DRF's: (ours - floor) / (DRF - floor)."""
    return (ours - floor) / (drf - floor)


def cost_table(
    alias: str, rates: list[str], rounds: int, blocks: int, n: int, floor: bool
) -> list[list[str]]:
    """Median µs per decision; with ``floor``, each round is printed with the floor beside it."""
    rows = []
    for index, rate in enumerate(rates):
        cases: dict[tuple[str, str], Any] = {}
        for path in ("allowed", "denied"):
            for impl in ("drf", "ours"):
                clock = Clock()
                classes = throttle_classes(rate, alias, clock)
                user_id = 1000 * index + len(cases)
                cases[impl, path] = Case(
                    f"{impl} {path}", classes[impl], rate, path == "allowed", user_id
                )
        if floor:
            ours_cls = cases["ours", "allowed"].cls
            cases["floor", ""] = FloorCase(alias, ours_cls, 999)
            cases["floor", "tight"] = FloorCase(alias, ours_cls, 999, tight=True)
            print(
                f"\n{rate}, per round (median µs; share = (ours - floor) / (DRF - floor), "
                "in brackets with the tight-loop floor):\n"
            )
        medians: dict[tuple[str, str], list[float]] = {key: [] for key in cases}
        ratios: dict[str, list[float]] = {"allowed": [], "denied": []}
        shares: dict[str, list[float]] = {"allowed": [], "denied": []}
        tight_shares: dict[str, list[float]] = {"allowed": [], "denied": []}
        for round_ in range(rounds):
            samples: dict[tuple[str, str], list[float]] = {key: [] for key in cases}
            # Redis expires a key on its own clock, not the cases': on a loaded machine a
            # denied key filled a period (in real time) ago is gone. Fill it again, untimed.
            for key in cases:
                if key[1] == "denied":
                    cases[key].fill()
            # One call of each case in turn, so that all of them see the same load, in an
            # order that rotates, so that none always follows the same one; the
            # tight-loop floor (for comparison only) runs on its own, call after call.
            keys = [key for key in cases if key != ("floor", "tight")]
            for call in range(blocks * n):
                turn = call % len(keys)
                for key in keys[turn:] + keys[:turn]:
                    samples[key] += cases[key].run(1)
            if floor:
                samples["floor", "tight"] = cases["floor", "tight"].run(blocks * n)
            median = {key: statistics.median(samples[key]) for key in cases}
            for key in cases:
                medians[key].append(median[key])
            line = []
            for path in ratios:
                ratios[path].append(median["drf", path] / median["ours", path])
                line.append(
                    f"{path}: ours {median['ours', path]:.1f} DRF {median['drf', path]:.1f} "
                    f"DRF/ours {ratios[path][-1]:.2f}"
                )
                if floor:
                    ours_us, drf_us = median["ours", path], median["drf", path]
                    shares[path].append(share(ours_us, drf_us, median["floor", ""]))
                    tight_shares[path].append(share(ours_us, drf_us, median["floor", "tight"]))
                    line[-1] += f" share {shares[path][-1]:.3f} ({tight_shares[path][-1]:.3f})"
            if floor:
                print(
                    f"    round {round_ + 1}: floor {median['floor', '']:.1f} "
                    f"(tight {median['floor', 'tight']:.1f}) | " + " | ".join(line)
                )
        for path in ("allowed", "denied"):
            row = [rate, path]
            if floor:
                row.append(f"{statistics.median(medians['floor', '']):.1f}")
                row.append(f"{statistics.median(medians['floor', 'tight']):.1f}")
            row += [
                f"{statistics.median(medians['ours', path]):.1f}",
                f"{statistics.median(medians['drf', path]):.1f}",
                f"{statistics.median(ratios[path]):.2f}x",
                f"{min(ratios[path]):.2f}-{max(ratios[path]):.2f}",
            ]
            if floor:
                row += [
                    f"{statistics.median(shares[path]):.3f}",
                    f"{min(shares[path]):.3f}-{max(shares[path]):.3f}",
                    f"{statistics.median(tight_shares[path]):.3f}",
                ]
            rows.append(row)
    return rows


def memory_table(redis_url: str, rates: list[str]) -> list[list[str]]:
    import redis

    client = redis.Redis.from_url(redis_url)
    rows = []
    for index, rate in enumerate(rates):
        sizes = {}
        for impl in ("drf", "ours"):
            clock = Clock()
            cls = throttle_classes(rate, "default", clock)[impl]
            case = Case(impl, cls, rate, False, 90_000 + 10 * index + len(sizes))
            key = f"throttle_user_{case.user_id}"
            (redis_key,) = client.keys(f"*{key}*")
            sizes[impl] = client.memory_usage(redis_key)
        rows.append([rate, f"{sizes['drf']:,} B", f"{sizes['ours']:,} B"])
    return rows


def hammer(impl: str, user_id: int, barrier: Any, seconds: float, results: Any) -> None:
    configure_django(os.environ[REDIS_URL_ENV])
    cls = throttle_classes("100/day", "default", Clock())[impl]
    cls.timer = lambda self: time.time()  # real time: the run never crosses a window
    cls().allow_request(make_request(1), None)  # connect (a different key)
    barrier.wait()
    allowed = attempts = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        allowed += cls().allow_request(make_request(user_id), None)
        attempts += 1
    results.put((allowed, attempts))


def exactness_table(procs: int, seconds: float, repeats: int) -> list[list[str]]:
    context = multiprocessing.get_context("spawn")
    rows = []
    for repeat in range(repeats):
        row = [str(repeat + 1)]
        for impl in ("drf", "ours"):
            barrier = context.Barrier(procs)
            results = context.Queue()
            user_id = 50_000 + 2 * repeat + (impl == "ours")
            workers = [
                context.Process(target=hammer, args=(impl, user_id, barrier, seconds, results))
                for _ in range(procs)
            ]
            for worker in workers:
                worker.start()
            outcomes = [results.get(timeout=120) for _ in workers]
            for worker in workers:
                worker.join(timeout=60)
            row += [str(sum(a for a, _ in outcomes)), f"{sum(t for _, t in outcomes):,}"]
        rows.append(row)
    return rows


def round_trip_table(redis_url: str) -> list[list[str]]:
    import redis

    rows = []
    for path in ("allowed", "denied"):
        for impl in ("drf", "ours"):
            clock = Clock()
            cls = throttle_classes("100/minute", "default", clock)[impl]
            case = Case(impl, cls, "100/minute", path == "allowed", 70_000 + len(rows))
            observer = redis.Redis.from_url(redis_url)
            marker = redis.Redis.from_url(redis_url)
            marker.ping()
            observer.config_resetstat()
            n = 50
            with observer.monitor() as monitor:
                case.run(n)
                marker.echo("end")
                sent: dict[str, int] = {}
                while (item := monitor.next_command())["command"] != "ECHO end":
                    if item["client_type"] != "lua":
                        name = item["command"].split()[0]
                        sent[name] = sent.get(name, 0) + 1
            stats = observer.info("commandstats")
            counted = {
                k.removeprefix("cmdstat_").upper(): v["calls"]
                for k, v in stats.items()
                # the observer's own commands (MONITOR's connection says HELLO)
                if k not in ("cmdstat_config|resetstat", "cmdstat_monitor", "cmdstat_echo")
                and k != "cmdstat_hello"
            }
            rows.append(
                [
                    impl,
                    path,
                    f"{sum(sent.values()) / n:g}",
                    " ".join(f"{k}={v / n:g}" for k, v in sorted(sent.items())),
                    " ".join(f"{k}={v / n:g}" for k, v in sorted(counted.items())),
                ]
            )
    return rows


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--blocks", type=int, default=5, help="calls per case per round: blocks x n"
    )
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--procs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 rounds, 1 block, 2 repeats of 1 s")
    parser.add_argument("--rates", default="100/minute,10000/day", help="comma-separated")
    parser.add_argument("--cost-only", action="store_true", help="only the Redis cost table")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.blocks, args.repeats, args.seconds = 3, 1, 2, 1.0

    from tests.services import RedisServer

    server = RedisServer(os.environ.get("REDIS_SERVER", "redis-server"))
    server.start()
    try:
        os.environ[REDIS_URL_ENV] = server.url
        configure_django(server.url)
        import django
        import redis
        import rest_framework

        print(f"# throttle_bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
        version = redis.Redis.from_url(server.url).info("server")["redis_version"]
        print(
            f"Python {platform.python_version()}, Django {django.__version__}, "
            f"DRF {rest_framework.VERSION}, redis-py {redis.__version__}, "
            f"Redis {version} on 127.0.0.1, {os.cpu_count()} CPUs, "
            f"load {os.getloadavg()[0]:.2f}; "
            f"rounds={args.rounds} x blocks={args.blocks} x n={args.n}"
        )
        rates = args.rates.split(",")
        header = ["rate", "path", "floor µs", "tight floor µs", "ours µs", "DRF µs"]
        header += ["DRF ÷ ours", "range", "(ours - floor) ÷ (DRF - floor)", "range", "tight"]
        rows = cost_table("default", rates, args.rounds, args.blocks, args.n, floor=True)
        print_table("Cost per decision, Redis (median µs, medians over rounds)", header, rows)
        if args.cost_only:
            return
        print_table(
            "Bytes per key in Redis (MEMORY USAGE)",
            ["rate", "DRF", "ours"],
            memory_table(server.url, rates),
        )
        print_table(
            "Round trips per decision, Redis, 100/minute (50 decisions; "
            "INFO commandstats also counts the commands a script runs)",
            ["throttle", "path", "commands sent", "sent (MONITOR)", "INFO commandstats"],
            round_trip_table(server.url),
        )
        print_table(
            f"Exactness: {args.procs} processes x {args.seconds:g} s on one key at 100/day",
            ["repeat", "DRF allowed", "DRF attempts", "ours allowed", "ours attempts"],
            exactness_table(args.procs, args.seconds, args.repeats),
        )
        header = ["rate", "path", "ours µs", "DRF µs", "DRF ÷ ours", "range over rounds"]
        rows = cost_table("locmem", rates, args.rounds, args.blocks, args.n, floor=False)
        print_table("Cost per decision, LocMem (median µs)", header, rows)
        print(f"\nload at the end: {os.getloadavg()[0]:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
