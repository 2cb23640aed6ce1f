"""Full-stack cost of the production preset: the task list under gunicorn, four ways.

(a) tutorial: the same endpoint hardened by hand with DRF only (tutorial_settings.py),
    DRF's throttles on the local-memory cache;
(b) preset, LocMem: the example project under the production profile, same cache;
(c) preset, Redis: the same on a real redis-server;
(d) tutorial DRF, Redis: (a) on the same Redis, the like-for-like baseline of (c).

Run from the repository root with the dev venv (gunicorn, redis-server installed):

    .venv/bin/python benchmarks/fullstack_bench.py

Each round sends the same load to every configuration in turn (rotating which goes
first); the table gives medians over rounds, and each ratio is computed within a
round, then its median and interquartile range taken. Many users share the load,
each far below its rates, so every answer is a 200 and each throttle does its
full work. Requests
go straight to gunicorn with the headers a proxy would add (one trusted proxy),
so nginx's cost is not in the numbers. Not a test: nothing here asserts a time.

Columns: req/s and client-side p50/p99 latency; "server p50" is gunicorn's own
request time (access log); "CPU/request" is the CPU time the workers used per
request (/proc), which other load on the machine disturbs least.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.components import EXAMPLE_DIR, Gunicorn, manage  # noqa: E402
from tests.e2e.load import run_load  # noqa: E402
from tests.services import RedisServer  # noqa: E402

TASKS_PER_USER = 5
SEED_USERS = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from tasks.models import Task
tokens = []
for n in range({users}):
    user = get_user_model().objects.create_user(username=f"bench{{n}}", password=None)
    Task.objects.bulk_create(
        Task(created_by=user, title=f"Task {{k}} of user {{n}}") for k in range({tasks})
    )
    tokens.append(Token.objects.create(user=user).key)
# The same keys for DRF's TokenAuthentication and for drf_hardening.tokens (as legacy keys).
call_command("import_drf_tokens", "--keep", verbosity=0)
print(json.dumps(tokens))
"""


def seed(database_url: str, users: int) -> list[str]:
    """Migrate, then create ``users`` users with their tasks; return their tokens."""
    manage(database_url, "migrate", "--noinput")
    output = manage(
        database_url, "shell", "-c", SEED_USERS.format(users=users, tasks=TASKS_PER_USER)
    )
    tokens: list[str] = json.loads(output.strip().splitlines()[-1])
    return tokens


def server_environment(database_url: str) -> dict[str, str]:
    """What every gunicorn of a benchmark shares: the seeded database and import paths."""
    return {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "benchmarks"), str(EXAMPLE_DIR), os.environ.get("PYTHONPATH", "")]
        ),
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def ratio(values: list[float]) -> str:
    """Median of per-round ratios, with their interquartile range."""
    q1, q2, q3 = statistics.quantiles(values, n=4)
    return f"{q2:.2f} [{q1:.2f}-{q3:.2f}]"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(server: Gunicorn, total: int, concurrency: int, headers: Any) -> dict[str, float]:
    """One run of ``total`` task-list requests against ``server``; its figures."""
    marker = uuid.uuid4().hex
    workers = server.worker_pids()
    cpu_before = cpu_seconds(workers)
    outcomes = run_load(
        f"{server.url}/api/tasks/?{marker}", total=total, concurrency=concurrency, headers=headers
    )
    # All answered: the access log is complete, and the workers are idle again.
    server_us = [entry.microseconds for entry in server.entries_for(marker, total)]
    cpu = cpu_seconds(workers) - cpu_before
    if server.worker_pids() != workers:
        raise SystemExit(f"a worker of {server.app} was replaced during a run; see {server.output}")
    bad = {outcome.status for outcome in outcomes} - {200}
    if bad:
        raise SystemExit(f"answers other than 200: {bad}; see {server.output}")
    first = min(outcome.started for outcome in outcomes)
    last = max(outcome.started + outcome.elapsed for outcome in outcomes)
    latencies = [outcome.elapsed * 1000 for outcome in outcomes]
    return {
        "rps": total / (last - first),
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "server_p50": percentile(server_us, 0.50) / 1000,
        "cpu": cpu / total * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # Many short rounds: this machine's load drifts within seconds, and a ratio is
    # only taken between runs of the same round.
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--requests", type=int, default=200, help="per configuration per round")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="drfh-bench-"))
    database_url = f"sqlite:///{scratch}/db.sqlite3"
    tokens = seed(database_url, args.users)
    redis = RedisServer(shutil.which("redis-server") or "redis-server")
    redis.start()
    common = server_environment(database_url)
    preset = {
        **common,
        "DRF_HARDENING_PROFILE": "production",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_TRUSTED_PROXIES": "1",
    }
    configs = {
        "(a) tutorial DRF, LocMem": {**common, "DJANGO_SETTINGS_MODULE": "tutorial_settings"},
        "(b) preset, LocMem": preset,
        "(c) preset, Redis": {**preset, "REDIS_URL": redis.url},
        "(d) tutorial DRF, Redis": {
            **common,
            "DJANGO_SETTINGS_MODULE": "tutorial_settings",
            "REDIS_URL": redis.url,
        },
    }
    names = list(configs)
    servers = {
        name: Gunicorn("taskmanager.wsgi:application", env, workers=args.workers)
        for name, env in configs.items()
    }

    def headers(i: int) -> dict[str, str]:
        # What nginx would add (one trusted proxy), and a different user each time.
        return {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Authorization": f"Token {tokens[i % len(tokens)]}",
        }

    results: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    try:
        for server in servers.values():
            server.start()
            measure(server, 200, 4, headers)  # warm-up: connections, lazy imports
        for round_number in range(args.rounds):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                results[name].append(
                    measure(servers[name], args.requests, args.concurrency, headers)
                )
    finally:
        for server in servers.values():
            server.cleanup()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)

    print(
        f"GET /api/tasks/ ({TASKS_PER_USER} tasks per user, {args.users} users), gunicorn "
        f"{args.workers} sync workers, {args.concurrency} client threads, "
        f"{args.requests} requests x {args.rounds} rounds per configuration, "
        f"load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| Configuration | req/s | p50 ms | p99 ms | server p50 ms | CPU/request ms "
        "| req/s ÷ (a) [IQR] | CPU/request ÷ (a) [IQR] |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        rows = results[name]
        pairs = list(zip(rows, results[names[0]], strict=True))

        def median(key: str, rows: list[dict[str, float]] = rows) -> float:
            return statistics.median(row[key] for row in rows)

        throughput = ratio([r["rps"] / b["rps"] for r, b in pairs])
        cpu = ratio([r["cpu"] / b["cpu"] for r, b in pairs])
        print(
            f"| {name} | {median('rps'):.0f} | {median('p50'):.1f} | {median('p99'):.1f} "
            f"| {median('server_p50'):.2f} | {median('cpu'):.2f} | {throughput} | {cpu} |"
        )


if __name__ == "__main__":
    main()
