"""Real services for the test suite: redis-server and Debian's Chromium.

The one place that decides whether such a test runs. When a binary is missing
the test is skipped with a message naming the package to install, unless
``DRF_HARDENING_REQUIRE_SERVICES=1`` is set (CI sets it): then a missing
service fails the test, so CI can never go green by skipping.

Every process is bound to 127.0.0.1 on a free port and stopped by its PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REQUIRE_SERVICES = os.environ.get("DRF_HARDENING_REQUIRE_SERVICES") == "1"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium tries to reach Google's hosts on this closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing_service(what: str, install: str) -> NoReturn:
    """Skip (or, when services are required, fail) because ``what`` is missing."""
    message = f"{what} is not available: install it with `{install}`"
    if REQUIRE_SERVICES:
        pytest.fail(f"{message} (DRF_HARDENING_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(message)


def child_env(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a child process, plus coverage's ``COVERAGE_*`` variables.

    Tests give a subprocess an environment of its own, so that the shell running the suite
    cannot change its outcome; coverage (``patch = ["subprocess"]``) measures the child only
    if its variables are passed on.
    """
    measured = {key: value for key, value in os.environ.items() if key.startswith("COVERAGE_")}
    return {**measured, **env}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def stop_process(proc: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the process is still there after ``timeout`` seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=timeout)


@dataclass
class RedisServer:
    """A redis-server of the test session, which tests may stop and start again."""

    binary: str
    port: int = field(default_factory=free_port)
    directory: str = field(default_factory=lambda: tempfile.mkdtemp(prefix="drfh-redis-"))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "no",
                "--dir", self.directory,
                "--daemonize", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def ensure_running(self) -> None:
        """Start it again if a test stopped it (the fault tests do)."""
        if self.process is None:
            self.start()

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


def redis_server_binary() -> str:
    """``$REDIS_SERVER``, else redis-server on ``PATH``; skips (or fails) when neither is."""
    binary = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not binary:
        missing_service("redis-server", "apt-get install -y redis-server")
    return binary


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    """Start a redis-server of its own on a free 127.0.0.1 port; stop it by PID after."""
    server = RedisServer(redis_server_binary())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server for the whole session."""
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_cache(redis_server: RedisServer, settings: Any) -> Iterator[RedisServer]:
    """Point the ``default`` cache at the session's Redis, emptied for this test."""
    redis_server.ensure_running()
    redis_server.flush()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
        }
    }
    yield redis_server
    redis_server.ensure_running()


def chromium_path() -> str:
    """``$CHROMIUM_PATH``, Debian's ``/usr/bin/chromium``, or chromium on ``PATH``."""
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    found = candidate if Path(candidate).exists() else shutil.which("chromium")
    if not found:
        missing_service("Chromium", "apt-get install -y chromium")
    return found


# Module-scoped: Playwright's sync API runs an event loop in this thread while it is open,
# and Django's async_to_sync (an async-capable middleware, AsyncClient) refuses to run in a
# thread with a running loop; tests in other modules must not inherit it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no ``playwright install``)."""
    executable = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test dependency group installs it
        missing_service("Playwright", "pip install playwright")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


# What ran against real services, printed at the end of the run: proof that a
# green run did not skip them (CI also makes a missing service a failure).
SERVICE_FIXTURES = {
    "redis_server": "redis-server",
    "browser": "Chromium",
    "postgres_server": "PostgreSQL",
}
_services_by_test: dict[str, set[str]] = {}
_outcomes: dict[str, dict[str, int]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        used = {label for fixture, label in SERVICE_FIXTURES.items() if fixture in names}
        if item.get_closest_marker("e2e"):
            used.add("gunicorn/nginx")
        if used:
            _services_by_test[item.nodeid] = used


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    counted = report.when == "call" or (report.when == "setup" and not report.passed)
    if not counted or report.nodeid not in _services_by_test:
        return
    for service in _services_by_test[report.nodeid]:
        tally = _outcomes.setdefault(service, {"passed": 0, "failed": 0, "skipped": 0})
        tally[report.outcome] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _outcomes:
        return
    terminalreporter.section("tests against real services")
    for service, tally in sorted(_outcomes.items()):
        counts = ", ".join(f"{count} {outcome}" for outcome, count in tally.items())
        terminalreporter.write_line(f"{service}: {counts}")
