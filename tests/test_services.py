"""The service fixtures themselves: they start real processes and stop them by PID."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis

from tests import services
from tests.services import (
    RedisServer,
    child_env,
    chromium_path,
    free_port,
    missing_service,
    redis_server_binary,
    running_redis,
    stop_process,
    wait_for_port,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.redis
def test_redis_server_answers_and_can_restart(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    assert client.ping()
    pid = redis_server.pid
    assert pid is not None
    redis_server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(redis_server.url).ping()
    redis_server.start()
    assert redis.Redis.from_url(redis_server.url).ping()


@pytest.mark.browser
def test_browser_renders_a_page(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content("<title>drf-hardening</title><p id=x>ok</p>")
    assert page.title() == "drf-hardening"
    assert page.inner_text("#x") == "ok"
    page.close()


def test_missing_service_fails_when_services_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.services.REQUIRE_SERVICES", True)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y thing"):
        missing_service("thing", "apt-get install -y thing")


def test_missing_service_skips_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.services.REQUIRE_SERVICES", False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y thing"):
        missing_service("thing", "apt-get install -y thing")


def test_a_missing_redis_server_is_a_missing_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.services.REQUIRE_SERVICES", False)
    monkeypatch.delenv("REDIS_SERVER", raising=False)
    monkeypatch.setattr("tests.services.shutil.which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y redis-server"):
        redis_server_binary()


def test_a_missing_chromium_is_a_missing_service(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("tests.services.REQUIRE_SERVICES", False)
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    monkeypatch.setattr("tests.services.shutil.which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        chromium_path()


@pytest.mark.redis
def test_a_stopped_server_stops_once_and_starts_again() -> None:
    with running_redis() as server:
        server.stop()
        server.stop()  # already stopped: nothing to do (running_redis stops it once more)
        assert server.pid is None
        server.ensure_running()
        assert redis.Redis.from_url(server.url).ping()


def test_wait_for_port_gives_up_on_a_closed_port() -> None:
    port = free_port()
    with pytest.raises(TimeoutError, match=f"nothing listens on 127.0.0.1:{port}"):
        wait_for_port(port, timeout=0.2)


def test_stop_process_kills_what_ignores_sigterm() -> None:
    ignores_sigterm = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", ignores_sigterm], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"  # the handler is in place
        stop_process(proc, timeout=0.5)
        assert proc.returncode == -signal.SIGKILL
    finally:
        proc.kill()  # a no-op once stop_process has reaped it
        proc.wait()


class Reporter:
    """What pytest_terminal_summary uses of pytest's TerminalReporter, writing to a list."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def section(self, title: str) -> None:
        self.lines.append(f"== {title}")

    def write_line(self, line: str) -> None:
        self.lines.append(line)


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({}, []),  # a run that used no service prints no section
        (
            {"redis-server": {"passed": 2, "failed": 1, "skipped": 0}},
            ["== tests against real services", "redis-server: 2 passed, 1 failed, 0 skipped"],
        ),
    ],
)
def test_service_summary(
    monkeypatch: pytest.MonkeyPatch, outcomes: dict[str, dict[str, int]], expected: list[str]
) -> None:
    monkeypatch.setattr(services, "_outcomes", outcomes)
    reporter = Reporter()
    services.pytest_terminal_summary(reporter)
    assert reporter.lines == expected


def test_stop_process_leaves_an_exited_process_alone() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    stop_process(proc)
    assert proc.returncode == 0  # not -SIGTERM: nothing was sent


def test_child_env_passes_on_only_coverages_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COVERAGE_PROCESS_CONFIG", "{}")
    monkeypatch.setenv("DRF_HARDENING_FROM_THE_SHELL", "1")
    env = child_env({"DJANGO_SETTINGS_MODULE": "tests.settings"})
    assert env["COVERAGE_PROCESS_CONFIG"] == "{}"
    assert env["DJANGO_SETTINGS_MODULE"] == "tests.settings"
    assert "DRF_HARDENING_FROM_THE_SHELL" not in env
