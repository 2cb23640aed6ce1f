"""``drf_hardening.authentication.BasicAuthentication``: throttled before the password hash.

Issue 17, findings 1 and 3. DRF's class hashes every password it is sent; these tests
show it (the ``drf_basic`` view) next to the library's class, on a real redis-server,
with a real password hasher that counts how often it runs. The NUL byte on PostgreSQL,
under gunicorn, is in ``tests/test_attack_fixes.py``.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.contrib.auth.models import User
from django.core.checks import Warning
from django.test import Client, RequestFactory
from django.urls import path
from rest_framework import authentication, exceptions
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.authentication import BasicAuthentication, BasicLoginRateThrottle
from drf_hardening.authtoken import obtain_auth_token
from drf_hardening.checks.basic import (
    CHECKS,
    check_basic_authentication_setting,
    check_basic_authentication_views,
)
from drf_hardening.names import EXCEPTION_HANDLER
from drf_hardening.throttling import events
from tests.helpers import check_ids
from tests.services import RedisServer

pytestmark = [pytest.mark.urls("tests.test_basic_auth"), pytest.mark.django_db]
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"


class CountingHasher(MD5PasswordHasher):
    """A real hasher (fast, for tests) that counts the hashes it computes.

    Checking a password encodes it once with the stored salt; an unknown username is
    hashed too (Django's ModelBackend does, so that timing does not tell it apart).
    """

    algorithm = "counting_md5"
    runs: ClassVar[int] = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.runs += 1
        return super().encode(password, salt)


class StaffView(APIView):
    """What the example's docs views were: Basic auth, staff only."""

    authentication_classes: tuple[type[authentication.BaseAuthentication], ...] = (
        BasicAuthentication,
    )
    permission_classes = (IsAdminUser,)
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


class DRFStaffView(StaffView):
    authentication_classes = (authentication.BasicAuthentication,)


urlpatterns = [
    path("staff/", StaffView.as_view()),
    path("drf-staff/", DRFStaffView.as_view()),
    path("login/", obtain_auth_token),
]


@pytest.fixture(autouse=True)
def project(settings: Any, redis_cache: RedisServer) -> None:
    events._failing.clear()
    settings.PASSWORD_HASHERS = ["tests.test_basic_auth.CountingHasher"]
    settings.DRF_HARDENING = {"LOGIN_RATE": "5/min", "FAILED_AUTH_RATE": None}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "EXCEPTION_HANDLER": EXCEPTION_HANDLER}


@pytest.fixture
def users() -> None:
    User.objects.create_user("alice", password="alice-password-1")
    User.objects.create_user("root", password="root-password-1", is_staff=True)
    CountingHasher.runs = 0


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def get(client: Client, url: str, credentials: str, ip: str = "198.51.100.7") -> Any:
    return client.get(url, HTTP_AUTHORIZATION=credentials, REMOTE_ADDR=ip)


def test_drf_basic_hashes_every_guess_from_many_addresses(client: Client, users: None) -> None:
    # The finding: ten addresses, ten wrong passwords for one user, ten hashes.
    statuses = [
        get(client, "/drf-staff/", basic("alice", f"guess-{i}"), f"203.0.113.{i}").status_code
        for i in range(10)
    ]
    assert statuses == [401] * 10
    assert CountingHasher.runs == 10


def test_guesses_from_many_addresses_stop_at_the_username_limit(
    client: Client, users: None
) -> None:
    responses = [
        get(client, "/staff/", basic("alice", f"guess-{i}"), f"203.0.113.{i}") for i in range(10)
    ]
    assert [r.status_code for r in responses] == [401] * 5 + [429] * 5
    assert CountingHasher.runs == 5  # no hash once the username's bucket is spent
    assert responses[-1]["Retry-After"] == "60"
    assert '"login_username";r=0' in responses[-1]["RateLimit"]
    assert responses[0]["WWW-Authenticate"] == 'Basic realm="api"'


def test_guesses_for_many_usernames_stop_at_the_address_limit(client: Client, users: None) -> None:
    statuses = [get(client, "/staff/", basic(f"user{i}", "guess")).status_code for i in range(8)]
    assert statuses == [401] * 5 + [429] * 3
    assert CountingHasher.runs == 5  # Django hashes for unknown users too (timing)


def test_right_password_is_hashed_only_while_the_buckets_last(client: Client, users: None) -> None:
    # The finding's CPU exhaustion: a valid password of a non-staff account, over and over.
    statuses = [
        get(client, "/staff/", basic("alice", "alice-password-1")).status_code for _ in range(8)
    ]
    assert statuses == [403] * 5 + [429] * 3
    assert CountingHasher.runs == 5


def test_throttled_staff_request_is_not_hashed(client: Client, users: None) -> None:
    good = basic("root", "root-password-1")
    ok = [get(client, "/staff/", good) for _ in range(5)]
    assert [r.status_code for r in ok] == [200] * 5
    assert ok[0].json() == {"user": "root"}
    assert ok[0]["RateLimit-Policy"] == '"login";q=5;w=60, "login_username";q=5;w=60'
    assert get(client, "/staff/", good).status_code == 429
    assert CountingHasher.runs == 5


def test_login_view_and_basic_share_one_bucket_per_username(client: Client, users: None) -> None:
    for i in range(3):
        answer = client.post(
            "/login/", {"username": "alice", "password": f"guess-{i}"}, REMOTE_ADDR=f"203.0.113.{i}"
        )
        assert answer.status_code == 400
    statuses = [
        get(client, "/staff/", basic("ALICE", f"guess-{i}"), f"192.0.2.{i}").status_code
        for i in range(3)
    ]
    assert statuses == [401, 401, 429]  # case-insensitive, like the login view's key


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("alice\x00", "x"),
        ("ali\x00ce", "alice-password-1"),
        ("alice", "alice-password-1\x00"),
        ("alice\r\nX-Injected: 1", "x"),
        ("alice\x1b[2J", "x"),
        ("alice\x7f", "x"),
        ("alice\x85", "x"),
    ],
    ids=["NUL end", "NUL inside", "NUL in password", "CRLF", "ESC", "DEL", "C1 NEL"],
)
def test_control_characters_are_a_401_without_a_query_or_a_hash(
    client: Client,
    users: None,
    django_assert_num_queries: Any,
    username: str,
    password: str,
) -> None:
    with django_assert_num_queries(0):
        response = get(client, "/staff/", basic(username, password))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid username/password."
    assert CountingHasher.runs == 0


def test_latin1_control_characters_are_refused_too(client: Client, users: None) -> None:
    # Not UTF-8: DRF decodes as Latin-1, where 0x85 is the C1 control NEL.
    credentials = "Basic " + base64.b64encode(b"alice\x85:x").decode()
    assert get(client, "/staff/", credentials).status_code == 401
    assert CountingHasher.runs == 0


def test_the_guard_counts_control_characters_and_wrong_passwords(
    client: Client, users: None, settings: Any
) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GUARD]
    settings.DRF_HARDENING = {"LOGIN_RATE": "100/min", "FAILED_AUTH_RATE": "3/min"}
    statuses = [
        get(client, "/staff/", basic("alice\x00", "x")).status_code,
        get(client, "/staff/", basic("alice", "wrong")).status_code,
        get(client, "/staff/", basic("bob", "wrong")).status_code,
        get(client, "/staff/", basic("root", "root-password-1")).status_code,
    ]
    assert statuses == [401, 401, 401, 429]
    assert CountingHasher.runs == 2


def test_store_outage_fails_closed_before_any_hash(
    client: Client, users: None, settings: Any, redis_cache: RedisServer
) -> None:
    settings.DRF_HARDENING = {"LOGIN_RATE": "5/min", "THROTTLE_FAIL_OPEN": False}
    redis_cache.stop()
    response = get(client, "/staff/", basic("root", "root-password-1"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "throttle_unavailable"
    assert CountingHasher.runs == 0


def test_store_outage_fails_open_to_drf_behaviour(
    client: Client, users: None, redis_cache: RedisServer
) -> None:
    redis_cache.stop()
    assert get(client, "/staff/", basic("root", "root-password-1")).status_code == 200
    assert CountingHasher.runs == 1


# --- the class as a unit -------------------------------------------------------------


def test_unit_authenticate_returns_the_user_like_drf(users: None) -> None:
    request = Request(
        RequestFactory().get("/", HTTP_AUTHORIZATION=basic("root", "root-password-1"))
    )
    user, token = BasicAuthentication().authenticate(request)  # type: ignore[misc]
    assert (user.get_username(), token) == ("root", None)
    assert BasicAuthentication().authenticate_header(request) == 'Basic realm="api"'


def test_unit_without_a_request_checks_the_password_unthrottled(users: None) -> None:
    auth = BasicAuthentication()
    user, _ = auth.authenticate_credentials("root", "root-password-1")
    assert user.get_username() == "root"
    with pytest.raises(exceptions.AuthenticationFailed):
        auth.authenticate_credentials("root\x00", "root-password-1")
    assert CountingHasher.runs == 1


def test_unit_malformed_headers_keep_drf_messages() -> None:
    for header, message in [
        ("Basic", "No credentials provided."),
        ("Basic a b", "should not contain spaces."),
        ("Basic !!!", "not correctly base64 encoded."),
    ]:
        request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION=header))
        with pytest.raises(exceptions.AuthenticationFailed, match=message):
            BasicAuthentication().authenticate(request)


def test_unit_other_schemes_are_not_ours() -> None:
    request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION="Token abc"))
    assert BasicAuthentication().authenticate(request) is None


def test_unit_throttle_keys_the_basic_username() -> None:
    request = Request(RequestFactory().get("/"))
    view: Any = None  # no view: the throttle keys the header's username alone
    assert BasicLoginRateThrottle("  ").get_username(request, view) is None
    key = BasicLoginRateThrottle("Alice").get_username_cache_key(request, view)
    assert key == BasicLoginRateThrottle("alice ").get_username_cache_key(request, view)
    assert key is not None
    assert key.startswith("throttle_login_username_")


# --- drf_hardening.W083 / W084 ---------------------------------------------------------

DRF_BASIC = "rest_framework.authentication.BasicAuthentication"
OURS = "drf_hardening.authentication.BasicAuthentication"
SESSION = "rest_framework.authentication.SessionAuthentication"


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        (None, ["drf_hardening.W083"]),  # unset: DRF's default is session + DRF's Basic
        ([DRF_BASIC], ["drf_hardening.W083"]),
        (
            ("rest_framework.authentication.SessionAuthentication", DRF_BASIC),
            ["drf_hardening.W083"],
        ),
        ([OURS], []),
        (["rest_framework.authentication.TokenAuthentication"], []),
        (DRF_BASIC, []),  # a bare string is E011's
    ],
)
def test_w083_drf_basic_in_the_default_classes(
    settings: Any, classes: Any, expected: list[str]
) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.REST_FRAMEWORK = {} if classes is None else {"DEFAULT_AUTHENTICATION_CLASSES": classes}
    assert check_ids(check_basic_authentication_setting) == expected


def test_w083_only_under_production(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [DRF_BASIC]}
    settings.DRF_HARDENING = {"PROFILE": "development"}
    assert check_ids(check_basic_authentication_setting) == []
    settings.DRF_HARDENING = {}
    assert check_ids(check_basic_authentication_setting) == []


def test_w083_message_names_the_setting_and_the_fix(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [DRF_BASIC]}
    [message] = check_basic_authentication_setting()
    assert isinstance(message, Warning)
    assert "DEFAULT_AUTHENTICATION_CLASSES" in message.msg
    assert OURS in str(message.hint)


def test_w084_names_each_view_with_drf_basic(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    [message] = check_basic_authentication_views()
    assert message.id == "drf_hardening.W084"
    assert "tests.test_basic_auth.DRFStaffView" in message.msg
    assert "drf-staff/" in message.msg
    assert "tests.test_basic_auth.StaffView'" not in message.msg  # ours is fine
    settings.DRF_HARDENING = {"PROFILE": "development"}
    assert check_basic_authentication_views() == []


def test_w084_silent_without_drf_basic_views(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.ROOT_URLCONF = "tests.urls_hardened"
    assert check_basic_authentication_views() == []


def test_checks_module_exposes_both() -> None:
    assert list(CHECKS) == [check_basic_authentication_setting, check_basic_authentication_views]


def test_a_project_naming_it_in_its_settings_starts(tmp_path: Any) -> None:
    # rest_framework.views imports DEFAULT_AUTHENTICATION_CLASSES while it is itself
    # imported; the class must not import it back (a circular import at start-up).
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "DJANGO_SETTINGS_MODULE": "tests.hardened_settings",
    }
    code = (
        "import django; django.setup(); import rest_framework.views as v; "
        "print(v.APIView.authentication_classes[-1].__module__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "drf_hardening.authentication"
