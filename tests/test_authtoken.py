"""The hardened token login view and LoginRateThrottle."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from drf_hardening.throttling import LoginRateThrottle

pytestmark = [pytest.mark.urls("tests.urls_throttling"), pytest.mark.django_db]
PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _users(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    cache.clear()
    User.objects.create_user("alice", password=PASSWORD)
    User.objects.create_user("idle", password=PASSWORD, is_active=False)


def login(client: Client, username: str, password: str, ip: str = "198.51.100.7") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_returns_token(client: Client) -> None:
    response = login(client, "alice", PASSWORD)
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_unknown_user_wrong_password_and_inactive_look_alike(client: Client) -> None:
    answers = [
        login(client, "nobody", PASSWORD, ip="192.0.2.1"),
        login(client, "alice", "wrong-password", ip="192.0.2.2"),
        login(client, "idle", PASSWORD, ip="192.0.2.3"),
    ]
    assert {r.status_code for r in answers} == {400}
    assert len({r.content for r in answers}) == 1
    assert len({tuple(sorted(r.headers)) for r in answers}) == 1


def test_client_ip_is_throttled(client: Client) -> None:
    statuses = [login(client, f"user{i}", "x").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]  # LOGIN_RATE defaults to 5/min


def test_username_is_throttled_across_ips(client: Client) -> None:
    statuses = [login(client, "Alice ", "x", ip=f"192.0.2.{i}").status_code for i in range(6)]
    assert statuses == [400] * 5 + [429]
    # Even the right password: the account's window is spent.
    assert login(client, "alice", PASSWORD, ip="192.0.2.99").status_code == 429


def test_throttled_client_does_not_spend_the_accounts_budget(client: Client) -> None:
    for i in range(5):
        login(client, f"user{i}", "x")  # the client's 5 attempts are spent...
    for _ in range(3):
        assert login(client, "bob", "x").status_code == 429  # ...so these cost bob nothing
    statuses = [login(client, "bob", "x", ip="192.0.2.50").status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]


def test_login_rate_from_throttle_rates(client: Client, settings) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"login": "2/min"}}
    assert [login(client, "alice", "x").status_code for _ in range(3)] == [400, 400, 429]


def test_login_rate_none_disables_it(client: Client, settings) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"login": None}}
    assert {login(client, "alice", "x").status_code for _ in range(7)} == {400}


def test_login_rate_from_conf(client: Client, settings) -> None:
    settings.DRF_HARDENING = {"LOGIN_RATE": "1/min"}
    assert [login(client, "alice", "x").status_code for _ in range(2)] == [400, 429]


def test_login_headers_name_both_limits(client: Client) -> None:
    response = login(client, "alice", "x")
    assert response["RateLimit-Policy"] == '"login";q=5;w=60, "login_username";q=5;w=60'


def test_non_object_body_is_a_400(client: Client) -> None:
    response = client.post("/login/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_missing_password_is_not_an_auth_failure(client: Client, settings) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min", "LOGIN_RATE": "100/min"}
    assert [client.post("/login/", {"username": "alice"}).status_code for _ in range(3)] == [
        400
    ] * 3


def test_wrong_passwords_feed_the_failed_auth_guard(client: Client, settings) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min", "LOGIN_RATE": "100/min"}
    assert [login(client, "alice", "x").status_code for _ in range(3)] == [400, 400, 429]
    assert client.get("/user/", REMOTE_ADDR="198.51.100.7").status_code == 429


def test_a_guess_of_zeros_feeds_the_failed_auth_guard_too(client: Client, settings) -> None:
    # The serializer reads 0 as "0": a guess, even though bool(0) is False.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min", "LOGIN_RATE": "100/min"}
    body = {"username": 0, "password": 0}
    statuses = [
        client.post("/login/", body, content_type="application/json").status_code for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_username_field_from_user_model_by_default(rf) -> None:
    from rest_framework.parsers import FormParser
    from rest_framework.request import Request

    form = "application/x-www-form-urlencoded"
    request = Request(rf.post("/", "username=Alice", content_type=form), parsers=[FormParser()])
    key = LoginRateThrottle().get_username_cache_key(request, None)  # type: ignore[arg-type]
    assert key is not None
    assert key.startswith("throttle_login_username_")
    assert "alice" not in key.lower()  # hashed, never the username itself
    empty = Request(rf.post("/", "username=+", content_type=form), parsers=[FormParser()])
    assert LoginRateThrottle().get_username_cache_key(empty, None) is None  # type: ignore[arg-type]


def test_login_accepts_only_the_projects_parsers(client: Client, settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_PARSER_CLASSES": ["drf_hardening.parsers.JSONParser"]}
    form = login(client, "alice", PASSWORD)
    assert form.status_code == 415
    as_json = client.post(
        "/login/",
        {"username": "alice", "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR="198.51.100.8",
    )
    assert as_json.status_code == 200
    assert "token" in as_json.json()


def test_a_wrong_password_is_a_login_failed_event_without_the_secret(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="drf_hardening.security"):
        login(client, "alice", "wrong-password-s3cret")
    events = [r for r in caplog.records if r.name == "drf_hardening.security"]
    assert [r.event for r in events] == ["login_failed"]  # type: ignore[attr-defined]
    assert events[0].status == 400  # type: ignore[attr-defined]
    assert "s3cret" not in caplog.text
    assert "alice" not in caplog.text


def test_a_form_with_a_missing_field_is_not_a_failed_login(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="drf_hardening.security"):
        response = client.post("/login/", {"username": "alice"}, REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 400
    assert not [r for r in caplog.records if r.name == "drf_hardening.security"]
