"""TokenAuthentication: schemes, one query, the same 401 for every refusal, the guard."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from drf_hardening.tokens import issue_token
from drf_hardening.tokens.authentication import TokenAuthentication
from drf_hardening.tokens.models import AuthToken
from tests.tokens.conftest import Clock, refusal

pytestmark = pytest.mark.django_db
Me = Callable[..., Any]


def unknown_token() -> str:
    from drf_hardening.tokens import format

    return format.generate("drfh").token  # well formed, in no database


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
def test_token_and_bearer_authenticate(me: Me, alice: User, scheme: str) -> None:
    _, token = issue_token(alice)
    response = me(token, scheme)
    assert response.status_code == 200
    assert response.json() == {"username": "alice"}


def test_request_auth_is_the_token_row(alice: User) -> None:
    row, token = issue_token(alice, name="laptop")
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    result = TokenAuthentication().authenticate(Request(request))
    assert result is not None
    user, auth = result
    assert (user, auth) == (alice, row)
    assert auth.name == "laptop"


@pytest.mark.parametrize("header", [None, "Basic YWxpY2U6eA==", "JWT abc", "Tokens abc"])
def test_other_schemes_are_left_to_the_next_class(header: str | None) -> None:
    extra: dict[str, Any] = {} if header is None else {"HTTP_AUTHORIZATION": header}
    request = APIRequestFactory().get("/", **extra)
    assert TokenAuthentication().authenticate(Request(request)) is None


def test_basic_still_works_behind_it(client: Client, alice: User) -> None:
    response = client.get("/me/", HTTP_AUTHORIZATION="Basic YWxpY2U6Y29ycmVjdC1ob3JzZS05")
    assert response.status_code == 200


def test_challenge_is_token_as_drfs(client: Client) -> None:
    response = client.get("/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_one_query_and_no_write_within_the_interval(
    me: Me, alice: User, django_assert_num_queries: Any
) -> None:
    _, token = issue_token(alice)
    with django_assert_num_queries(2):  # the first use records last_used
        assert me(token).status_code == 200
    with django_assert_num_queries(1) as captured:
        assert me(token).status_code == 200
    sql = captured.captured_queries[0]["sql"]
    assert sql.startswith("SELECT")
    assert "JOIN" in sql
    assert "public_id" in sql


def test_last_used_is_written_once_per_interval(
    me: Me, alice: User, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_LAST_USED_INTERVAL": 60}
    row, token = issue_token(alice)
    assert row.last_used is None
    me(token)
    first = frozen.time
    frozen.advance(seconds=59)
    me(token)
    row.refresh_from_db()
    assert row.last_used == first
    frozen.advance(seconds=1)
    me(token)
    row.refresh_from_db()
    assert row.last_used == frozen.time


def test_interval_zero_writes_every_request(
    me: Me, alice: User, frozen: Clock, settings: Any, django_assert_num_queries: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_LAST_USED_INTERVAL": 0}
    row, token = issue_token(alice)
    me(token)
    frozen.advance(seconds=1)
    with django_assert_num_queries(2):
        me(token)
    row.refresh_from_db()
    assert row.last_used == frozen.time


def swap_last_distinct(token: str) -> str:
    """``token`` with its last two different neighbours swapped (equal ones would be no change)."""
    i = max(i for i in range(1, len(token)) if token[i - 1] != token[i])
    return token[: i - 1] + token[i] + token[i - 1] + token[i + 1 :]


@pytest.mark.parametrize(
    "mangle",
    [lambda t: t[:-1], lambda t: t[:20], lambda t: swap_last_distinct(t),
     lambda t: t[:10] + ("A" if t[10] != "A" else "B") + t[11:], lambda t: t + "A",
     lambda t: t.replace("_", ""), lambda t: "x" * 300],
    ids=["last-char-lost", "half", "swap", "typo", "extra-char", "no-separators", "garbage"],
)  # fmt: skip
def test_truncated_or_mistyped_token_costs_no_query(
    me: Me, alice: User, django_assert_num_queries: Any, mangle: Callable[[str], str]
) -> None:
    _, token = issue_token(alice)
    with django_assert_num_queries(0):
        response = me(mangle(token))
    assert response.status_code == 401


def test_every_refusal_is_the_same_401(
    client: Client, me: Me, alice: User, bob: User, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_TTL": 3600, "TOKEN_IDLE_TTL": 600}
    _, expired = issue_token(alice)
    _, idle = issue_token(alice, expires_in=7200)
    revoked_row, revoked = issue_token(alice)
    revoked_row.revoke()
    _, inactive = issue_token(bob, expires_in=7200)
    User.objects.filter(pk=bob.pk).update(is_active=False)
    _, fresh = issue_token(alice, expires_in=7200)
    for _ in range(8):  # 4000 s: "expired" is past its 3600 s, "idle" unused for 4000 s
        frozen.advance(seconds=500)
        assert me(fresh).status_code == 200  # used every 500 s: never idle for 600
    answers = {
        "unknown": me(unknown_token()),
        "malformed": me("not-a-token"),
        "truncated": me(fresh[:-3]),
        "wrong secret": me(fresh[:-12] + unknown_token()[-12:]),
        "expired": me(expired),
        "idle": me(idle),
        "revoked": me(revoked),
        "inactive user": me(inactive),
        "no credentials": client.get("/me/", HTTP_AUTHORIZATION="Token"),
        "two credentials": client.get("/me/", HTTP_AUTHORIZATION=f"Token {fresh} x"),
        "not ascii": client.get(
            "/me/", HTTP_AUTHORIZATION="Bearer tökén".encode().decode("latin-1")
        ),
    }
    bodies = {name: refusal(response) for name, response in answers.items()}
    assert len(set(bodies.values())) == 1, bodies
    body = answers["unknown"].json()["error"]
    assert (body["code"], body["message"]) == ("authentication_failed", "Invalid token.")


def test_wrong_secret_with_a_known_public_id_is_refused(alice: User) -> None:
    row, _token = issue_token(alice)
    from drf_hardening.tokens import format

    other = format.generate("drfh").token
    forged_body = f"drfh_{row.public_id}_{other.split('_')[2][:43]}"
    forged = forged_body + format.checksum(forged_body)
    assert format.parse(forged) is not None  # well formed, so it reaches the database
    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(forged)


def test_expiry_with_the_replaceable_clock(me: Me, alice: User, frozen: Clock) -> None:
    _, token = issue_token(alice, expires_in=60)
    frozen.advance(seconds=59)
    assert me(token).status_code == 200
    frozen.advance(seconds=1)
    assert me(token).status_code == 401


def test_idle_expiry_with_the_replaceable_clock(
    me: Me, alice: User, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_IDLE_TTL": 120, "TOKEN_LAST_USED_INTERVAL": 0}
    _, token = issue_token(alice)
    for _ in range(5):  # used every 100 s: never idle for 120
        frozen.advance(seconds=100)
        assert me(token).status_code == 200
    frozen.advance(seconds=120)
    assert me(token).status_code == 401


def test_ttl_none_never_expires(me: Me, alice: User, frozen: Clock, settings: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_TTL": None}
    row, token = issue_token(alice)
    assert row.expires is None
    frozen.advance(days=3650)
    assert me(token).status_code == 200


def test_real_time_one_second_ttl(me: Me, alice: User, settings: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_TTL": 1}
    row, token = issue_token(alice)
    assert row.expires is not None
    assert (row.expires - row.created).total_seconds() == 1
    time.sleep(1.05)  # past its expiry whatever the machine's speed: no timing assertion
    assert me(token).status_code == 401


def test_real_time_one_second_idle_ttl(me: Me, alice: User, settings: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_IDLE_TTL": timedelta_seconds(1)}
    _, token = issue_token(alice)
    time.sleep(1.05)
    assert me(token).status_code == 401


def timedelta_seconds(seconds: float) -> Any:
    from datetime import timedelta

    return timedelta(seconds=seconds)


def test_an_invalid_setting_serves_the_default_not_a_500(
    me: Me, alice: User, settings: Any
) -> None:
    settings.DRF_HARDENING = {
        "TOKEN_IDLE_TTL": "10 minutes",
        "TOKEN_LAST_USED_INTERVAL": -1,
        "TOKEN_TTL": True,
    }
    row, token = issue_token(alice)
    assert row.expires is not None
    assert (row.expires - row.created).days == 30
    assert me(token).status_code == 200


def test_the_failed_auth_guard_counts_bad_tokens(
    client: Client, alice: User, settings: Any
) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min"}
    _, good = issue_token(alice)
    bad = [unknown_token(), good[:-1], "garbage", good[:-12] + unknown_token()[-12:]]
    statuses = [client.get("/me/", HTTP_AUTHORIZATION=f"Bearer {t}").status_code for t in bad]
    assert statuses == [401, 401, 401, 429]
    # The client is locked out now, even with its valid token.
    assert client.get("/me/", HTTP_AUTHORIZATION=f"Token {good}").status_code == 429
    # Other clients are not.
    other = client.get("/me/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 200


def test_a_deleted_user_takes_the_tokens_along(me: Me, alice: User) -> None:
    _, token = issue_token(alice)
    alice.delete()
    assert not AuthToken.objects.exists()
    assert me(token).status_code == 401
