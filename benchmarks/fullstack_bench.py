"""Full-stack cost of the production preset: the task list under gunicorn, three ways.

(a) tutorial: the same endpoint hardened by hand with DRF only (tutorial_settings.py),
    DRF's throttles on the local-memory cache;
(b) preset, LocMem: the example project under the production profile, same cache;
(c) preset, Redis: the same on a real redis-server.

Run from the repository root with the dev venv (gunicorn, redis-server installed):

    .venv/bin/python benchmarks/fullstack_bench.py

Each round sends the same load to (a), (b) and (c) in turn (rotating which goes
first); the table gives medians over rounds, and each ratio is computed within a
round, then its median taken. Many users share the load, each far below its
rates, so every answer is a 200 and each throttle does its full work. Requests
go straight to gunicorn with the headers a proxy would add (one trusted proxy),
so nginx's cost is not in the numbers. Not a test: nothing here asserts a time.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.components import EXAMPLE_DIR, Gunicorn, manage  # noqa: E402
from tests.e2e.load import run_load  # noqa: E402
from tests.services import RedisServer  # noqa: E402

TASKS_PER_USER = 5
SEED_USERS = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from tasks.models import Task
tokens = []
for n in range({users}):
    user = get_user_model().objects.create_user(username=f"bench{{n}}", password=None)
    Task.objects.bulk_create(
        Task(created_by=user, title=f"Task {{k}} of user {{n}}") for k in range({tasks})
    )
    tokens.append(Token.objects.create(user=user).key)
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


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # Many short rounds: this machine's load drifts within seconds, and a ratio is
    # only taken between runs of the same round.
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--requests", type=int, default=400, help="per configuration per round")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="drfh-bench-"))
    database_url = f"sqlite:///{scratch}/db.sqlite3"
    tokens = seed(database_url, args.users)
    redis = RedisServer(shutil.which("redis-server") or "redis-server")
    redis.start()
    common = {
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "benchmarks"), str(EXAMPLE_DIR), os.environ.get("PYTHONPATH", "")]
        ),
    }
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
    }
    servers = {
        name: Gunicorn("taskmanager.wsgi:application", env, workers=args.workers)
        for name, env in configs.items()
    }
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}

    def auth(i: int) -> dict[str, str]:
        return {**headers, "Authorization": f"Token {tokens[i % len(tokens)]}"}

    results: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    try:
        for server in servers.values():
            server.start()
            warm = run_load(f"{server.url}/api/tasks/", total=200, concurrency=4, headers=auth)
            statuses = {outcome.status for outcome in warm}
            if statuses != {200}:
                raise SystemExit(f"warm-up answered {statuses}; see {server.output}")
        names = list(configs)
        for round_number in range(args.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in order:
                server = servers[name]
                marker = uuid.uuid4().hex
                outcomes = run_load(
                    f"{server.url}/api/tasks/?{marker}",
                    total=args.requests,
                    concurrency=args.concurrency,
                    headers=auth,
                )
                bad = [o.status for o in outcomes if o.status != 200]
                if bad:
                    raise SystemExit(f"{name}: {len(bad)} answers were not 200: {set(bad)}")
                wall = max(o.started + o.elapsed for o in outcomes) - min(
                    o.started for o in outcomes
                )
                latencies = [o.elapsed * 1000 for o in outcomes]
                server_us = [e.microseconds for e in server.entries_for(marker, args.requests)]
                results[name].append(
                    {
                        "rps": args.requests / wall,
                        "p50": percentile(latencies, 0.50),
                        "p99": percentile(latencies, 0.99),
                        "server_p50": percentile(server_us, 0.50) / 1000,
                    }
                )
    finally:
        for server in servers.values():
            server.cleanup()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)

    baseline = results[names[0]]
    print(
        f"GET /api/tasks/ ({TASKS_PER_USER} tasks per user, {args.users} users), gunicorn "
        f"{args.workers} sync workers, {args.concurrency} client threads, "
        f"{args.requests} requests x {args.rounds} rounds per configuration\n"
    )
    print(
        "| Configuration | req/s | p50 ms | p99 ms | server p50 ms "
        "| req/s ÷ (a) | server p50 ÷ (a) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in names:
        rows = results[name]
        pairs = list(zip(rows, baseline, strict=True))
        throughput = statistics.median(r["rps"] / b["rps"] for r, b in pairs)
        server = statistics.median(r["server_p50"] / b["server_p50"] for r, b in pairs)
        print(
            f"| {name} | {statistics.median(r['rps'] for r in rows):.0f} "
            f"| {statistics.median(r['p50'] for r in rows):.1f} "
            f"| {statistics.median(r['p99'] for r in rows):.1f} "
            f"| {statistics.median(r['server_p50'] for r in rows):.2f} "
            f"| {throughput:.2f} | {server:.2f} |"
        )


if __name__ == "__main__":
    main()
