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

from drf_hardening.throttling import events
from drf_hardening.throttling.guard import FailedAuthGuardMiddleware

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
    return Token.objects.create(user=user).key


def get(client: Client, credentials: str | None = None, ip: str = "198.51.100.7") -> Any:
    extra = {"REMOTE_ADDR": ip}
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


def test_malformed_rate_fails_open_and_logs_once(client, settings, caplog) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/fortnight"}
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert [get(client, "Token wrong").status_code for _ in range(5)] == [401] * 5
    assert len([r for r in caplog.records if "FAILED_AUTH_RATE" in r.getMessage()]) == 1


def test_error_body_uses_the_projects_handler(client, settings, clock) -> None:
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler"}
    for _ in range(3):
        get(client, "Token wrong")
    response = get(client, "Token wrong")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/")
    assert "throttled" in response.content.decode()


def broken_handler(exc: Exception, context: Any) -> Any:
    if context["view"] is None:
        raise RuntimeError("this handler needs a view")
    from rest_framework.views import exception_handler

    return exception_handler(exc, context)


def test_error_body_falls_back_when_handler_fails(client, settings, clock) -> None:
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "tests.test_auth_guard.broken_handler"}
    for _ in range(3):
        get(client, "Token wrong")
    response = get(client, "Token wrong")
    assert (response.status_code, response["Retry-After"]) == (429, "60")
    assert response.json()["detail"].startswith("Request was throttled")


@pytest.mark.redis
def test_guard_on_redis(redis_cache, client, token, clock) -> None:
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]
    assert get(client, f"Token {token}").status_code == 429


@pytest.mark.redis
@pytest.mark.parametrize(("fail_open", "expected"), [(True, 200), (False, 503)])
def test_guard_with_redis_stopped(redis_cache, client, token, settings, fail_open, expected):  # type: ignore[no-untyped-def]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min", "THROTTLE_FAIL_OPEN": fail_open}
    redis_cache.stop()
    responses = [get(client, f"Token {token}") for _ in range(2)]
    assert [r.status_code for r in responses] == [expected] * 2
    assert [get(client, "Token wrong").status_code for _ in range(2)] == [
        401 if fail_open else 503
    ] * 2
