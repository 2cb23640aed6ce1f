"""One username, one login bucket, whatever JSON type it is sent as (issue 17, finding 2).

DRF's ``CharField`` accepts a JSON number as a username (``str(31415926)``), so
``LoginRateThrottle`` keys it so too: ``31415926``, ``"31415926"`` and
``" 31415926 "`` are one account and share one bucket on every login path of the
library (the token views, the authtoken view, Basic authentication). Under gunicorn
from 12 addresses: tests/test_attack_fixes.py.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.authentication import BasicAuthentication
from drf_hardening.authtoken import obtain_auth_token
from drf_hardening.throttling.login import submitted_username
from drf_hardening.tokens.views import LoginView

pytestmark = [pytest.mark.urls("tests.test_login_username"), pytest.mark.django_db]
PASSWORD = "correct-horse-9"
NUMBER = 31415926


class BasicView(APIView):
    authentication_classes = (BasicAuthentication,)
    permission_classes = (IsAuthenticated,)
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"user": request.user.get_username()})


urlpatterns = [
    path("token/", LoginView.as_view()),
    path("authtoken/", obtain_auth_token),
    path("basic/", BasicView.as_view()),
]
LOGINS = ["/token/", "/authtoken/"]


@pytest.fixture(autouse=True)
def _user(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler"}
    cache.clear()
    User.objects.create_user(str(NUMBER), password=PASSWORD)


def login(client: Client, url: str, username: Any, password: Any, ip: str) -> Any:
    body = {"username": username, "password": password}
    return client.post(url, body, content_type="application/json", REMOTE_ADDR=ip)


def basic(client: Client, username: str, password: str, ip: str) -> Any:
    value = base64.b64encode(f"{username}:{password}".encode()).decode()
    return client.get("/basic/", HTTP_AUTHORIZATION=f"Basic {value}", REMOTE_ADDR=ip)


@pytest.mark.parametrize(
    ("value", "username"),
    [
        (NUMBER, "31415926"),
        ("31415926", "31415926"),
        (" 31415926 ", "31415926"),
        (0, "0"),
        (-7, "-7"),
        (2.5, "2.5"),
        ("Alice", "Alice"),  # the key casefolds it; the serializer sees it as sent
        (True, None),  # CharField refuses a bool (and everything below) before any hash
        (False, None),
        (None, None),
        ([NUMBER], None),
        ({"name": NUMBER}, None),
        ("", None),
        ("   ", None),
    ],
)
def test_submitted_username_is_what_charfield_makes_of_it(value: Any, username: str | None) -> None:
    assert submitted_username(value) == username


@pytest.mark.parametrize("url", LOGINS)
def test_a_number_logs_in_and_is_counted(client: Client, url: str) -> None:
    response = login(client, url, NUMBER, PASSWORD, ip="192.0.2.1")
    assert response.status_code == 200
    # The finding: no "login_username" item when the username was a number.
    assert '"login_username";r=4;' in response["RateLimit"]


@pytest.mark.parametrize("url", LOGINS)
def test_a_number_from_many_addresses_stops_at_the_username_limit(client: Client, url: str) -> None:
    statuses = [
        login(client, url, NUMBER, "guess", ip=f"192.0.2.{i}").status_code for i in range(12)
    ]
    assert statuses == [400] * 5 + [429] * 7  # LOGIN_RATE: 5/min per username
    # The account's window is spent, for the right password too, in any spelling.
    assert login(client, url, "31415926", PASSWORD, ip="192.0.2.99").status_code == 429


@pytest.mark.parametrize("url", LOGINS)
def test_number_string_and_padded_string_share_one_bucket(client: Client, url: str) -> None:
    spellings = [NUMBER, "31415926", " 31415926 ", NUMBER, "31415926", " 31415926 "]
    statuses = [
        login(client, url, spelling, "guess", ip=f"198.51.100.{i}").status_code
        for i, spelling in enumerate(spellings)
    ]
    assert statuses == [400] * 5 + [429]


def test_a_basic_header_naming_the_number_user_logs_in(client: Client) -> None:
    response = basic(client, "31415926", PASSWORD, ip="203.0.113.50")
    assert (response.status_code, response.json()) == (200, {"user": "31415926"})


def test_the_login_views_and_basic_share_the_bucket(client: Client) -> None:
    statuses = [
        login(client, "/token/", NUMBER, "guess", ip="203.0.113.1").status_code,
        login(client, "/authtoken/", NUMBER, "guess", ip="203.0.113.2").status_code,
        basic(client, "31415926", "guess", ip="203.0.113.3").status_code,
        login(client, "/token/", " 31415926 ", "guess", ip="203.0.113.4").status_code,
        basic(client, "31415926", "guess", ip="203.0.113.5").status_code,
        basic(client, "31415926", PASSWORD, ip="203.0.113.6").status_code,
        login(client, "/authtoken/", NUMBER, PASSWORD, ip="203.0.113.7").status_code,
    ]
    assert statuses == [400, 400, 401, 400, 401, 429, 429]


@pytest.mark.parametrize("url", LOGINS)
def test_a_bool_or_object_username_is_a_400_on_the_address_bucket_only(
    client: Client, url: str
) -> None:
    response = login(client, url, True, PASSWORD, ip="192.0.2.200")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["username"][0]["code"] == "invalid"
    assert '"login_username"' not in response["RateLimit"]  # no username, no second bucket
    assert login(client, url, {"a": 1}, PASSWORD, ip="192.0.2.200").status_code == 400
