"""FailedAuthGuardMiddleware: 429 before authentication for clients that keep failing it."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import path
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.checks import auth as auth_checks
from drf_hardening.exceptions import ExceptionHandler
from drf_hardening.throttling import counting, events, stores
from drf_hardening.throttling.guard import (
    FailedAuthGuardMiddleware,
    FailedAuthThrottle,
    record_auth_failure,
)
from tests import urls_throttling
from tests.helpers import check_ids
from tests.urls_throttling import UserView

pytestmark = [pytest.mark.urls("tests.test_auth_guard"), pytest.mark.django_db]
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"


class Clock:
    now = 1_000_000.0


CLOCK = Clock()  # one, so that the views below can move it


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    CLOCK.now = 1_000_000.0
    monkeypatch.setattr(FailedAuthGuardMiddleware, "timer", lambda self: CLOCK.now)
    return CLOCK


class FailsAfterAuthentication(UserView):
    """Authenticated and throttled (so the reservation went back), then a failure."""

    def get(self, request: Request) -> Response:
        record_auth_failure(request)
        return Response({"detail": "wrong one-time code"}, status=400)


class InFlight(APIView):
    """Reports the guard's count while the request is in the view; moves the clock if asked."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        counted = cache.get("throttle_failed_auth_198.51.100.7", 0) & 0xFFFFFFFF
        CLOCK.now += float(request.query_params.get("advance", 0))
        return Response({"counted": counted})


urlpatterns = [
    *urls_throttling.urlpatterns,
    path("fails-after-auth/", FailsAfterAuthentication.as_view()),
    path("in-flight/", InFlight.as_view()),
]


@pytest.fixture(autouse=True)
def guarded(settings: Any) -> None:
    cache.clear()
    events._failing.clear()
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GUARD]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "3/min"}
    # /user/'s throttle counts: the guard's release rides with its decision.
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "100/min"}}


@pytest.fixture
def token() -> str:
    user = User.objects.create_user("alice", password="correct-horse-9")
    key: str = Token.objects.create(user=user).key
    return key


def get(
    client: Client, credentials: str | None = None, ip: str = "198.51.100.7", url: str = "/private/"
) -> Any:
    extra: dict[str, Any] = {"REMOTE_ADDR": ip}
    if credentials:
        extra["HTTP_AUTHORIZATION"] = credentials
    return client.get(url, **extra)


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


# --- reserve before the view, give back on success (issue 17, finding 8) --------------------


def counted(client: Client, credentials: str | None = "Token wrong") -> int:
    """The guard's count of the client, read from inside a view while the request runs."""
    return int(get(client, credentials, url="/in-flight/").json()["counted"])


def test_a_request_with_credentials_is_counted_while_in_flight(client, clock) -> None:
    assert counted(client) == 1  # reserved before the view...
    assert counted(client) == 1  # ...and given back after its 200: not a failure
    assert counted(client, credentials=None) == 0  # no credentials: only a look


@pytest.mark.parametrize("url", ["/private/", "/user/"])  # without, with a throttle
def test_successes_cost_the_client_nothing(client, token, clock, url) -> None:
    assert [get(client, f"Token {token}", url=url).status_code for _ in range(5)] == [200] * 5
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_credentials_no_authenticator_takes(client, clock) -> None:
    # /user/ lets anonymous clients in: a 200, so the attempt goes back after the response.
    assert [get(client, "Bearer x", url="/user/").status_code for _ in range(4)] == [200] * 4
    # /private/ does not: a 401 to a request with credentials is a failure, kept.
    assert [get(client, "Bearer x").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_failure_after_a_throttle_gave_the_attempt_back(client, token, clock) -> None:
    statuses = [get(client, f"Token {token}", url="/fails-after-auth/").status_code]
    statuses += [get(client, f"Token {token}", url="/fails-after-auth/").status_code]
    statuses += [get(client, f"Token {token}", url="/fails-after-auth/").status_code]
    assert statuses == [400] * 3  # each counted once, after the view
    assert get(client, f"Token {token}").status_code == 429


def test_success_answered_after_its_window_closed(client, clock) -> None:
    for _ in range(2):
        get(client, "Token wrong")
    # Reserved in the first window, answered in the next (the view moves the clock 61 s):
    # there is nothing to give back, and the next window opens with the whole budget.
    assert get(client, "Token wrong", url="/in-flight/?advance=61").json()["counted"] == 3
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_outage_during_release_is_logged_never_a_500(client, token, clock, monkeypatch, caplog):
    monkeypatch.setattr(stores.LocMemStore, "release", lambda *a, **k: 1 / 0)
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        responses = [get(client, f"Token {token}", url=url) for url in ("/private/", "/user/")]
    assert [r.status_code for r in responses] == [200, 200]
    # One episode per request: each ends when the next decision succeeds.
    records = [r for r in caplog.records if r.event == "throttle_store_unavailable"]
    assert [type(r.exc_info[1]) for r in records] == [ZeroDivisionError] * 2
    assert [get(client, "Token wrong").status_code for _ in range(2)] == [401, 429]  # kept


def test_throttle_with_a_malformed_rate_still_gives_back(client, token, settings, clock):
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "3/fortnight"}}
    assert [get(client, f"Token {token}", url="/user/").status_code for _ in range(4)] == [200] * 4
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_throttle_on_a_cache_of_its_own_gives_back_apart(client, token, clock, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    from drf_hardening.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "cache", LocMemCache("own", {}))
    assert [get(client, f"Token {token}", url="/user/").status_code for _ in range(4)] == [200] * 4
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


# --- on Redis: the release rides in the throttle's pipeline ---------------------------------


class RoundTrips:
    """Counts the writes redis-py sends (one per command, one per pipeline): round trips."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import redis.connection

        self.sent = 0
        real: Any = redis.connection.AbstractConnection.send_packed_command

        def send(connection: Any, command: Any, check_health: bool = True) -> None:
            self.sent += 1
            real(connection, command, check_health)

        monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", send)

    def of(self, action: Any) -> int:
        before = self.sent
        action()
        return self.sent - before


@pytest.mark.redis
def test_round_trips_per_request(redis_cache, client, token, clock, monkeypatch) -> None:
    from tests.test_throttling_redis import client_commands

    get(client, f"Token {token}", url="/user/")  # connected, scripts loaded
    trips = RoundTrips(monkeypatch)
    good = trips.of(lambda: get(client, f"Token {token}", url="/user/", ip="192.0.2.1"))
    bad = trips.of(lambda: get(client, "Token wrong", url="/user/", ip="192.0.2.2"))
    none = trips.of(lambda: get(client, url="/user/", ip="192.0.2.3"))
    # Before: 2, 2, 2 (the guard's look, then the throttle's decision or the failure's count).
    assert (good, bad, none) == (2, 1, 2)
    sent = client_commands(redis_cache, lambda: get(client, f"Token {token}", url="/user/"))
    assert sent == ["EVALSHA"] * 3  # reserve; then the decision and the release, pipelined


@pytest.mark.redis
def test_pipeline_after_a_script_flush(redis_cache, client, token, clock) -> None:
    import redis

    assert get(client, f"Token {token}", url="/user/").status_code == 200
    redis.Redis.from_url(redis_cache.url).script_flush()
    assert [get(client, f"Token {token}", url="/user/").status_code for _ in range(3)] == [200] * 3
    redis.Redis.from_url(redis_cache.url).script_flush()
    assert get(client, "Bearer x", url="/user/").status_code == 200  # released after
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


@pytest.mark.redis
def test_pipeline_refusing_a_command_is_an_outage(redis_cache, client, token, clock, caplog):
    import redis

    raw = redis.Redis.from_url(redis_cache.url)
    throttle_key = f":1:{{throttle_user_{Token.objects.get(key=token).user_id}}}"
    raw.rpush(throttle_key, "x")  # a key of another type: the decision script fails on it
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert get(client, f"Token {token}", url="/user/").status_code == 200  # fail open
        raw.delete(throttle_key)
        assert get(client, f"Token {token}", url="/user/").status_code == 200
    logged = [r.event for r in caplog.records if r.event.startswith("throttle_store")]
    assert logged == ["throttle_store_unavailable", "throttle_store_recovered"]
    (failure,) = [r for r in caplog.records if r.event == "throttle_store_unavailable"]
    assert isinstance(failure.exc_info[1], redis.exceptions.ResponseError)
    assert [get(client, "Token wrong").status_code for _ in range(4)] == [401, 401, 401, 429]


def test_w086_silent_while_drf_records_its_authenticator() -> None:
    assert check_ids(auth_checks.check_drf_authenticator_record) == []


def test_w086_when_drf_no_longer_records_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(counting, "DRF_AUTHENTICATOR", "_moved_in_a_later_drf")
    (message,) = auth_checks.check_drf_authenticator_record()
    assert message.id == "drf_hardening.W086"
    assert "'_moved_in_a_later_drf'" in message.msg
