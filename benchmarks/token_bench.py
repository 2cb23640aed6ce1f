"""Cost of authenticating one request: drf_hardening.tokens vs DRF's and knox's TokenAuthentication.

Same run, same database, for SQLite (a file) and PostgreSQL (a server this script
starts in a temp dir on a free 127.0.0.1 port and stops by its PID):

- drf_hardening.tokens: ``drf_hardening.tokens.authentication.TokenAuthentication``;
- DRF: ``rest_framework.authentication.TokenAuthentication`` (plain-text keys);
- knox: ``knox.auth.TokenAuthentication`` (django-rest-knox, hashed tokens);
- ours again, with the lookup run through ``QuerySet.get()`` (Django building its
  SQL at each request) instead of the SQL ``drf_hardening.tokens.lookup`` compiles once;
- the floor: ours' SELECT run on Django's cursor, the row fetched and nothing else.

Run from the repository root with the dev venv (django-rest-knox installed:
``.venv/bin/pip install django-rest-knox``; PostgreSQL's ``initdb``/``postgres``
on the PATH or under /usr/lib/postgresql, else that database is skipped):

    .venv/bin/python benchmarks/token_bench.py

Every user has one token of each kind. A round authenticates ``--calls``
requests (each user's in turn) with each class, the order rotating between
rounds; each request went through its class once before (a token's first use
writes ``last_used``). The table gives the median time per request over the
rounds, and each ratio is taken within a round, then its median and
interquartile range. "queries" are those of one authenticated request. Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.services import free_port, stop_process, wait_for_port  # noqa: E402

CLASSES = {
    "drf_hardening.tokens": "drf_hardening.tokens.authentication.TokenAuthentication",
    "DRF (plain text)": "rest_framework.authentication.TokenAuthentication",
    "knox": "knox.auth.TokenAuthentication",
}
#: Ours again with the lookup's SQL built by Django at each request (QuerySet.get(), as
#: before drf_hardening.tokens.lookup compiled it once), for what that compiling saves.
ORM_LOOKUP = "drf_hardening.tokens, QuerySet.get()"
#: Ours' SELECT alone, on Django's cursor: the floor that no class's lookup goes under.
FLOOR = "floor: the same SELECT, bare"
#: Ours again with last_used written on every request, for the cost of that write.
EVERY_REQUEST = "drf_hardening.tokens, interval 0"


# --- the measuring process (one per database) ---------------------------------------------


def configure(database_url: str) -> None:
    import dj_database_url
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="token-bench",
        USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "rest_framework",
            "rest_framework.authtoken",
            "knox",
            "drf_hardening",
            "drf_hardening.tokens",
        ],
        DATABASES={"default": dj_database_url.parse(database_url)},
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        REST_FRAMEWORK={"UNAUTHENTICATED_USER": None},
        DRF_HARDENING={},
    )
    django.setup()


def seed(users: int) -> dict[str, list[str]]:
    """``users`` users with one token of each kind; the tokens, by class."""
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from knox.models import AuthToken as KnoxToken
    from rest_framework.authtoken.models import Token

    from drf_hardening.tokens import format
    from drf_hardening.tokens.models import AuthToken

    call_command("migrate", verbosity=0)
    User.objects.bulk_create(User(username=f"bench{n}") for n in range(users))
    people = list(User.objects.order_by("pk"))
    drf = [Token(key=Token.generate_key(), user=user) for user in people]
    Token.objects.bulk_create(drf)
    ours = [format.generate("drfh") for _ in people]
    AuthToken.objects.bulk_create(
        AuthToken(user=user, public_id=new.public_id, digest=new.digest)
        for user, new in zip(people, ours, strict=True)
    )
    knox = [KnoxToken.objects.create(user)[1] for user in people]
    return {
        "drf_hardening.tokens": [new.token for new in ours],
        "DRF (plain text)": [token.key for token in drf],
        "knox": knox,
    }


def orm_lookup() -> Any:
    from drf_hardening.tokens.authentication import TokenAuthentication
    from drf_hardening.tokens.models import AuthToken

    class QuerySetGet(TokenAuthentication):
        def get_token(self, lookup_id: str) -> AuthToken | None:
            try:
                return self.queryset.get(pk=lookup_id)
            except AuthToken.DoesNotExist:
                return None

    return QuerySetGet()


def floor(requests: list[Any]) -> Any:
    from django.db import connection

    from drf_hardening.tokens import format, lookup
    from drf_hardening.tokens.authentication import TokenAuthentication

    compiled = lookup.compile_lookup(TokenAuthentication.queryset, connection)
    assert compiled is not None
    ids = {}
    for request in requests:
        presented = format.parse(request.META["HTTP_AUTHORIZATION"].split()[1])
        assert presented is not None
        ids[id(request)] = presented.lookup_id

    class BareSelect:
        def authenticate(self, request: Any) -> Any:
            with connection.cursor() as cursor:
                cursor.execute(compiled.sql, (*compiled.before, ids[id(request)], *compiled.after))
                return cursor.fetchone()

    return BareSelect()


def measure(database_url: str, users: int, calls: int, rounds: int) -> dict[str, Any]:
    configure(database_url)
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.utils.module_loading import import_string

    tokens = seed(users)
    factory = RequestFactory()
    requests = {
        name: [factory.get("/", HTTP_AUTHORIZATION=f"Token {token}") for token in found]
        for name, found in tokens.items()
    }
    for name in (ORM_LOOKUP, FLOOR, EVERY_REQUEST):
        requests[name] = requests["drf_hardening.tokens"]
    authenticators = {name: import_string(path)() for name, path in CLASSES.items()}
    authenticators[ORM_LOOKUP] = orm_lookup()
    authenticators[FLOOR] = floor(requests[FLOOR])
    authenticators[EVERY_REQUEST] = authenticators["drf_hardening.tokens"]
    every_request = override_settings(DRF_HARDENING={"TOKEN_LAST_USED_INTERVAL": 0})

    def run(name: str, batch: list[Any]) -> None:
        authenticate: Callable[[Any], Any] = authenticators[name].authenticate
        with every_request if name == EVERY_REQUEST else contextlib.nullcontext():
            for request in batch:
                if authenticate(request) is None:
                    raise RuntimeError(f"{name} did not authenticate")

    for name, batch in requests.items():  # first use: ours records last_used
        run(name, batch)
    queries = {}
    for name, batch in requests.items():
        with CaptureQueriesContext(connection) as captured:
            run(name, batch[:1])
        queries[name] = [query["sql"].split()[0] for query in captured.captured_queries]

    # Ours with a write per request is measured after the others, not between them:
    # its commits (an fsync each on SQLite) would disturb their numbers.
    names = [name for name in requests if name != EVERY_REQUEST]
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        for name in order:
            start = (index * calls) % users
            batch = (requests[name] * 2)[start : start + calls]
            began, began_cpu = time.perf_counter_ns(), time.process_time_ns()
            run(name, batch)
            wall[name].append((time.perf_counter_ns() - began) / len(batch) / 1000)
            cpu[name].append((time.process_time_ns() - began_cpu) / len(batch) / 1000)
    wall[EVERY_REQUEST], cpu[EVERY_REQUEST] = [], []
    for _ in range(rounds):
        batch = requests[EVERY_REQUEST][: max(calls // 10, 1)]
        began, began_cpu = time.perf_counter_ns(), time.process_time_ns()
        run(EVERY_REQUEST, batch)
        wall[EVERY_REQUEST].append((time.perf_counter_ns() - began) / len(batch) / 1000)
        cpu[EVERY_REQUEST].append((time.process_time_ns() - began_cpu) / len(batch) / 1000)
    return {"database": connection.vendor, "wall": wall, "cpu": cpu, "queries": queries}


# --- the parent: databases, then the table ------------------------------------------------


def postgres_binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@contextlib.contextmanager
def postgres(directory: Path) -> Iterator[str | None]:
    """A PostgreSQL server of this run: its URL, or ``None`` when it is not installed."""
    initdb, server = postgres_binary("initdb"), postgres_binary("postgres")
    if not initdb or not server:
        print("PostgreSQL is not installed (apt-get install -y postgresql): skipped.")
        yield None
        return
    data = directory / "pgdata"
    data.mkdir()
    # The server refuses to run as root; as root, run it as the postgres user.
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:
        as_user = {"user": "postgres", "group": "postgres"}
        directory.parent.chmod(0o755)  # the server must reach its directory
        shutil.chown(directory, "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    subprocess.run(
        [initdb, "-D", str(data), "-U", "bench", "--auth=trust", "-E", "UTF8"],
        check=True, capture_output=True, **as_user,
    )  # fmt: skip
    port = free_port()
    process = subprocess.Popen(
        [server, "-D", str(data), "-p", str(port), "-k", str(directory),
         "-c", "listen_addresses=127.0.0.1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_user,
    )  # fmt: skip
    try:
        wait_for_port(port, timeout=30)
        time.sleep(0.5)  # accepting connections is a moment after listening
        yield f"postgres://bench@127.0.0.1:{port}/postgres"
    finally:
        stop_process(process)


def child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable, __file__, "--child", database_url, "--users", str(args.users),
        "--calls", str(args.calls), "--rounds", str(args.rounds),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise RuntimeError(done.stderr)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def quartiles(values: list[float]) -> str:
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return f"{median:.2f} [{q1:.2f}-{q3:.2f}]"


def table(result: dict[str, Any]) -> str:
    wall, cpu = result["wall"], result["cpu"]
    ours = "drf_hardening.tokens"
    lines = [
        f"{result['database']}: per authenticated request, medians of {len(wall[ours])} rounds",
        f"  {'class':<38} {'wall µs':>8} {'CPU µs':>8}  {'ours/this, wall [IQR]':>22}"
        f"  {'ours/this, CPU [IQR]':>22}  queries",
    ]
    for name in wall:
        ratios = [
            ""
            if name in (ours, EVERY_REQUEST)
            else quartiles([a / b for a, b in zip(t[ours], t[name], strict=True)])
            for t in (wall, cpu)
        ]
        kinds = ", ".join(f"{result['queries'][name].count(k)} {k}" for k in ("SELECT", "UPDATE"))
        medians = f"{statistics.median(wall[name]):>8.1f} {statistics.median(cpu[name]):>8.1f}"
        lines.append(f"  {name:<38} {medians}  {ratios[0]:>22}  {ratios[1]:>22}  {kinds}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=1000, help="requests per class per round")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.users, args.calls, args.rounds)))
        return
    with tempfile.TemporaryDirectory(prefix="token-bench-") as tmp:
        directory = Path(tmp)
        results = [child(f"sqlite:///{directory / 'db.sqlite3'}", args)]
        (directory / "pg").mkdir()
        with postgres(directory / "pg") as url:
            if url:
                results.append(child(url, args))
    print(f"{args.users} users, {args.calls} requests per class per round\n")
    print("\n\n".join(table(result) for result in results))


if __name__ == "__main__":
    main()
