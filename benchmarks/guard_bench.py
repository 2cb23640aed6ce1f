"""Failed-auth guard benchmark: admitted attempts under concurrency, and round trips per request.

Run from the repository root (it starts its own redis-server and gunicorn, on free
ports, and stops them by PID)::

    .venv/bin/python benchmarks/guard_bench.py              # the tables of docs/throttling.md
    .venv/bin/python benchmarks/guard_bench.py --repeats 2  # a smoke run

A project written by the benchmark (``harden(profile="production")``, token
authentication, ``FAILED_AUTH_RATE`` 10/min, a real redis-server) is served by
gunicorn, once with the guard before issue 17 (``LookThenCountGuard`` below: look
before the view, count a failure after it) and once with the guard of ``src/``
(reserve before the view, give back on success).

Tables:
1. admitted attempts per window: ``--attempts`` requests with bad tokens from one
   client, released together by a barrier, under 4 sync workers and under 4 gthread
   workers of 16 threads; the 401s are the attempts that reached authentication
   (the limit is 10). Median and range over ``--repeats`` windows (one client
   address per window);
2. round trips to Redis per request (one sync worker, ``INFO stats``
   ``total_reads_processed``: one per command, one per pipeline), for a request
   with a good token, one with a bad token, one without credentials.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

HOST = "api.example.com"
BEFORE = "guard_bench.LookThenCountGuard"
AFTER = "drf_hardening.middleware.FailedAuthGuardMiddleware"

SETTINGS = """
import os

from drf_hardening import harden

SECRET_KEY = "guard-bench-only-k3J9Qm7vXz2pL8wR4nB6yT1hF5cD0sG3aE9-guard-bench-only"
ROOT_URLCONF = "bench_urls"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework.authtoken"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["SQLITE_PATH"]}}
CACHES = {"default": {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ["REDIS_URL"],
}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
DRF_HARDENING = {"FAILED_AUTH_RATE": "10/min"}

harden(globals(), profile="production", allowed_hosts=["api.example.com"], trusted_proxies=1)
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "rest_framework.authentication.TokenAuthentication",
]
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"
MIDDLEWARE = [os.environ["GUARD_CLASS"] if name == GUARD else name for name in MIDDLEWARE]
"""

URLS = """
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView


class Me(APIView):
    def get(self, request):
        return Response({"user": request.user.get_username()})


urlpatterns = [path("api/me/", Me.as_view())]
"""

TOKEN = """
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

user = User.objects.create_user("alice", password="correct-horse-9")
print(Token.objects.create(user=user).key)
"""


@functools.cache
def _look_then_count_guard() -> type:
    # Defined on first use, in the gunicorn worker, once Django is configured.
    from rest_framework import exceptions

    from drf_hardening.conf import conf
    from drf_hardening.exceptions import error_response
    from drf_hardening.throttling import events
    from drf_hardening.throttling.counting import count
    from drf_hardening.throttling.guard import FailedAuthGuardMiddleware
    from drf_hardening.throttling.throttles import ThrottleStoreUnavailable

    class LookThenCountGuard(FailedAuthGuardMiddleware):
        """The guard before issue 17: look before the view, count a failure after it."""

        def __call__(self, request: Any) -> Any:
            throttle = self.get_throttle()
            if throttle.rate is None:
                return self.get_response(request)
            key = throttle.get_cache_key(request, None)
            decision = throttle.decision = count(throttle, key, hit=False)
            if decision is None:
                if not conf.THROTTLE_FAIL_OPEN:
                    return error_response(request, ThrottleStoreUnavailable())
            elif not decision.allowed:
                events.log_throttled(request, "failed_auth")
                return error_response(request, exceptions.Throttled(throttle.wait()))
            response = self.get_response(request)
            if self.is_failure(request, response):
                count(throttle, key, hit=True)
            return response

    return LookThenCountGuard


def __getattr__(name: str) -> Any:  # MIDDLEWARE names guard_bench.LookThenCountGuard
    if name == "LookThenCountGuard":
        return _look_then_count_guard()
    raise AttributeError(name)


def write_project(directory: Path, redis_url: str) -> tuple[dict[str, str], str]:
    (directory / "bench_settings.py").write_text(textwrap.dedent(SETTINGS))
    (directory / "bench_urls.py").write_text(textwrap.dedent(URLS))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": os.pathsep.join([str(directory), str(ROOT / "benchmarks"), str(ROOT)]),
        "REDIS_URL": redis_url,
        "SQLITE_PATH": str(directory / "db.sqlite3"),
        "GUARD_CLASS": AFTER,
    }

    def django_admin(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "django", *args],
            env={**os.environ, **env},
            cwd=directory,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    django_admin("migrate", "--noinput")
    return env, django_admin("shell", "-c", TOKEN).strip().splitlines()[-1]


@contextlib.contextmanager
def served(
    env: dict[str, str], directory: Path, guard: str, args: str, workers: int
) -> Iterator[Any]:
    from tests.e2e.components import Gunicorn

    server = Gunicorn(
        app="django.core.wsgi:get_wsgi_application()",
        env={**env, "GUARD_CLASS": guard, "GUNICORN_CMD_ARGS": args},
        chdir=directory,
        workers=workers,
    )
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


def get(port: int, client_ip: str, token: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": client_ip}
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        connection.request("GET", "/api/me/", headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def admitted(port: int, client_ip: str, attempts: int) -> int:
    """How many of ``attempts`` simultaneous bad tokens reached authentication (401s)."""
    barrier = threading.Barrier(attempts)

    def one(_: int) -> int:
        barrier.wait(timeout=60)
        return get(port, client_ip, "0" * 40)

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        return sum(status == 401 for status in pool.map(one, range(attempts)))


def admitted_table(env, directory, attempts: int, repeats: int) -> list[list[str]]:
    rows = []
    loads = [("4 sync workers", "--worker-class sync")]
    loads.append(("4 gthread workers x 16 threads", "--worker-class gthread --threads 16"))
    for label, args in loads:
        row = [label]
        for guard in (BEFORE, AFTER):
            with served(env, directory, guard, args, workers=4) as server:
                counts = [
                    admitted(
                        server.port, f"198.51.{len(rows) * 2 + (guard == AFTER)}.{r}", attempts
                    )
                    for r in range(repeats)
                ]
            row += [f"{statistics.median(counts):g}", f"{min(counts)}-{max(counts)}"]
        rows.append(row)
    return rows


def round_trip_table(env, directory, token: str, redis_url: str, n: int) -> list[list[str]]:
    import redis

    observer = redis.Redis.from_url(redis_url)

    def reads() -> int:  # the INFO call itself is one read
        return int(observer.info("stats")["total_reads_processed"])

    kinds = {
        "good token": lambda i: get(port, "192.0.2.1", token),
        "bad token": lambda i: get(port, f"10.1.{i // 250}.{i % 250}", "0" * 40),  # never locked
        "no credentials": lambda i: get(port, "192.0.2.3", None),
    }
    results: dict[str, list[str]] = {kind: [kind] for kind in kinds}
    for guard in (BEFORE, AFTER):
        with served(env, directory, guard, "--worker-class sync", workers=1) as server:
            port = server.port
            for send in kinds.values():
                send(10_000)  # connected, scripts loaded
            for kind, send in kinds.items():
                before = reads()
                for i in range(n):
                    send(i)
                results[kind].append(f"{(reads() - before - 1) / n:g}")
    return list(results.values())


def print_table(title: str, header: list[str], rows: list[list[str]]) -> None:
    print(f"\n### {title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attempts", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=50, help="requests per round-trip row")
    args = parser.parse_args()

    import django
    import redis
    from tests.services import RedisServer

    server = RedisServer(os.environ.get("REDIS_SERVER", "redis-server"))
    server.start()
    directory = Path(tempfile.mkdtemp(prefix="drfh-guard-bench-"))
    try:
        env, token = write_project(directory, server.url)
        version = redis.Redis.from_url(server.url).info("server")["redis_version"]
        print(f"# guard_bench ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
        print(
            f"Python {sys.version.split()[0]}, Django {django.__version__}, Redis {version}, "
            f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; FAILED_AUTH_RATE 10/min, "
            f"{args.attempts} simultaneous bad tokens per window, {args.repeats} windows"
        )
        print_table(
            "Attempts that reached authentication in one window (limit 10)",
            ["load", "before: median", "range", "after: median", "range"],
            admitted_table(env, directory, args.attempts, args.repeats),
        )
        print_table(
            f"Round trips to Redis per request ({args.n} requests each, INFO stats)",
            ["request", "before", "after"],
            round_trip_table(env, directory, token, server.url, args.n),
        )
    finally:
        server.stop()
        import shutil

        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
