"""The service fixtures themselves: they start real processes and stop them by PID."""

from __future__ import annotations

import os

import pytest
import redis

from tests.services import RedisServer, missing_service


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
def test_browser_renders_a_page(browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
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
