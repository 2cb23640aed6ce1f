"""FailedAuthGuardMiddleware: 429 before authentication for clients that keep failing it."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from drf_hardening.exceptions import ExceptionHandler
from drf_hardening.throttling import events, stores
from drf_hardening.throttling.guard import FailedAuthGuardMiddleware, FailedAuthThrottle

pytestmark = [pytest.mark.urls("tests.urls_throttling"), pytest.mark.django_db]
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"


class Clock:
    now = 1_000_000.0


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    value = Clock()
    monkeypatch.setattr(FailedAuthGuardMiddleware, "timer", lambda self: value.now)
    return value


@pytest.fixture(autouse=True)
def guarded(settings: Any) -> None:
    cache.clear()
    events._failing.clear()
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GUARD]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min"}


@pytest.fixture
def token() -> str:
    user = User.objects.create_user("alice", password="correct-horse-9")
    key: str = Token.objects.create(user=user).key
    return key


def get(client: Client, credentials: str | None = None, ip: str = "198.51.100.7") -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": ip}
    if credentials:
        extra["HTTP_AUTHORIZATION"] = credentials
    return client.get("/private/", **extra)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_bad_tokens_then_429_even_with_a_good_token(client, token, clock) -> None:
    assert [get(client, "Token wrong").status_code for _ in range(3)] == [401] * 3
    refused = get(client, f"Token {token}")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert get(client).status_code == 429  # every request of that client, every endpoint
    assert client.get("/login/", REMOTE_ADDR="198.51.100.7").status_code == 429


def test_bad_basic_passwords_are_counted(client, token, clock) -> None:
    statuses = [get(client, basic("alice", f"guess-{i}")).status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_window_ends_and_client_is_let_in(client, token, clock) -> None:
    for _ in range(3):
        get(client, "Token wrong")
    clock.now += 59
    assert get(client, f"Token {token}")["Retry-After"] == "1"
    clock.now += 1
    assert get(client, f"Token {token}").status_code == 200


def test_requests_without_credentials_are_not_failures(client, clock) -> None:
    assert [get(client).status_code for _ in range(5)] == [401] * 5


def test_other_clients_are_not_affected(client, token, clock) -> None:
    for _ in range(3):
        get(client, "Token wrong")
    assert get(client, f"Token {token}", ip="203.0.113.5").status_code == 200


def test_guard_logs_one_event(client, clock, caplog) -> None:
    for _ in range(3):
        get(client, "Token wrong")
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        get(client, "Token wrong")
    (record,) = [r for r in caplog.records if getattr(r, "event", "") == "throttled"]
    assert (record.scope, record.client_ip) == ("failed_auth", "198.51.100.7")


def test_none_rate_switches_the_guard_off(client, settings, clock) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": None}
    assert [get(client, "Token wrong").status_code for _ in range(5)] == [401] * 5


def test_malformed_rate_fails_open_and_logs_once(client, monkeypatch, caplog) -> None:
    # conf serves the default for a malformed FAILED_AUTH_RATE, so only a subclass's
    # get_rate can hand the counting step a rate it cannot parse.
    monkeypatch.setattr(FailedAuthThrottle, "get_rate", lambda self: "3/fortnight")
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert [get(client, "Token wrong").status_code for _ in range(5)] == [401] * 5
    (record,) = [r for r in caplog.records if "'3/fortnight'" in r.getMessage()]
    assert "'failed_auth'" in record.getMessage()
    assert record.event == "throttle_store_unavailable"


def test_malformed_rate_setting_counts_at_the_default(client, settings, clock) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/fortnight"}  # E022 at start-up
    statuses = [get(client, "Token wrong").status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]  # the default, 10/min


def test_keys_use_drf_cache_format(client, clock) -> None:
    for _ in range(3):
        get(client, "Token wrong")
    assert cache.get("throttle_failed_auth_198.51.100.7") is not None


class ShoutingHandler(ExceptionHandler):
    def format_error(self, error: Any) -> Any:
        return {"shout": str(error.message).upper()}


def test_error_body_comes_from_the_handler_class(client, settings, clock) -> None:
    settings.DRF_HARDENING = {
        "FAILED_AUTH_RATE": "3/min",
        "EXCEPTION_HANDLER_CLASS": "tests.test_auth_guard.ShoutingHandler",
    }
    for _ in range(3):
        get(client, "Token wrong")
    response = get(client, "Token wrong")
    assert (response.status_code, response["Retry-After"]) == (429, "60")
    assert response.json()["shout"].startswith("REQUEST WAS THROTTLED")


def test_error_body_is_the_projects_format(client, clock) -> None:
    for _ in range(3):
        get(client, "Token wrong")
    response = get(client, "Token wrong")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "throttled"


def test_store_failure_fails_closed_with_the_handlers_503(client, settings, monkeypatch) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min", "THROTTLE_FAIL_OPEN": False}
    monkeypatch.setattr(stores.LocMemStore, "decide", lambda *a, **k: 1 / 0)
    response = get(client)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json()["error"]["code"] == "throttle_unavailable"


@pytest.mark.redis
def test_guard_on_redis(redis_cache, client, token, clock) -> None:
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]
    assert get(client, f"Token {token}").status_code == 429


@pytest.mark.redis
@pytest.mark.parametrize(("fail_open", "expected"), [(True, 200), (False, 503)])
def test_guard_with_redis_stopped(redis_cache, client, token, settings, fail_open, expected):
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min", "THROTTLE_FAIL_OPEN": fail_open}
    redis_cache.stop()
    responses = [get(client, f"Token {token}") for _ in range(2)]
    assert [r.status_code for r in responses] == [expected] * 2
    assert [get(client, "Token wrong").status_code for _ in range(2)] == [
        401 if fail_open else 503
    ] * 2
