"""Plot requests allowed vs time: DRF's throttle and drf-hardening's, same concurrent load.

Both run the task list under gunicorn (4 sync workers) with a real Redis as the
throttle store and the ``tasks`` rate at 100/minute: (a) the tutorial's DRF-only
configuration (tutorial_settings.py), (b) the example project under the production
preset. One user's token, 16 client threads, 600 requests per run, 3 runs each.
Writes docs/img/throttle_allowed.png and prints the allowed count of every run.

    .venv/bin/python benchmarks/throttle_plot.py
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fullstack_bench import seed, server_environment  # noqa: E402
from tests.e2e.components import Gunicorn  # noqa: E402
from tests.e2e.load import run_load  # noqa: E402
from tests.services import RedisServer  # noqa: E402

LIMIT = 100
RATES = f"tasks={LIMIT}/minute,user=100000/day,anon=100000/day"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--output", default=str(ROOT / "docs" / "img" / "throttle_allowed.png"))
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="drfh-plot-"))
    database_url = f"sqlite:///{scratch}/db.sqlite3"
    (token,) = seed(database_url, 1)
    redis = RedisServer(shutil.which("redis-server") or "redis-server")
    redis.start()
    common = {
        **server_environment(database_url),
        "REDIS_URL": redis.url,
        "EXAMPLE_THROTTLE_RATES": RATES,
    }
    configs = {
        "DRF throttles (tutorial settings)": {
            **common,
            "DJANGO_SETTINGS_MODULE": "tutorial_settings",
        },
        "drf-hardening production preset": {
            **common,
            "DRF_HARDENING_PROFILE": "production",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_TRUSTED_PROXIES": "1",
        },
    }
    headers = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
        "Authorization": f"Token {token}",
    }
    # Per run: the times the allowed requests were answered, and when the run ended.
    curves: dict[str, list[tuple[list[float], float]]] = {name: [] for name in configs}
    try:
        for name, env in configs.items():
            server = Gunicorn("taskmanager.wsgi:application", env, workers=4)
            server.start()
            try:
                # A worker's first requests are slow (database connection, lazy imports).
                run_load(
                    f"{server.url}/api/tasks/", total=64, concurrency=8, headers=lambda i: headers
                )
                for _ in range(args.runs):
                    redis.flush()  # a fresh bucket for every run
                    outcomes = run_load(
                        f"{server.url}/api/tasks/",
                        total=args.requests,
                        concurrency=args.concurrency,
                        headers=lambda i: headers,
                    )
                    other = {o.status for o in outcomes} - {200, 429}
                    if other:
                        raise SystemExit(
                            f"{name}: unexpected statuses {other}; see {server.output}"
                        )
                    allowed = sorted(o.started + o.elapsed for o in outcomes if o.status == 200)
                    curves[name].append((allowed, max(o.started + o.elapsed for o in outcomes)))
            finally:
                server.cleanup()
    finally:
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)

    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=110)
    colours = dict(zip(configs, ["tab:red", "tab:blue"], strict=True))
    for name, runs in curves.items():
        for number, (times, end) in enumerate(runs):
            # Flat to the end of the run: every later request was refused.
            axes.step(
                [0.0, *times, end],
                [*range(len(times) + 1), len(times)],
                where="post",
                color=colours[name],
                alpha=0.85,
                label=name if number == 0 else None,
            )
        counts = ", ".join(str(len(times)) for times, _ in runs)
        print(f"{name}: allowed {counts} of {args.requests} per run (limit {LIMIT})")
    axes.axhline(LIMIT, color="black", linestyle="--", linewidth=1, label=f"limit: {LIMIT}/minute")
    axes.set_xlabel("seconds since the first request")
    axes.set_ylabel("requests allowed (2xx), cumulative")
    axes.set_title(
        f"One user, {args.concurrency} concurrent clients, 4 gunicorn workers, Redis "
        f"({args.requests} requests x {args.runs} runs each)",
        fontsize=9,
    )
    axes.legend(loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
