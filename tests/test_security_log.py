"""drf_hardening.logging.events.log_event and the events the error handler emits."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import Mock

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils.functional import SimpleLazyObject
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from drf_hardening.logging import MASK
from drf_hardening.logging.events import log_event
from drf_hardening.request_id import reset_request_id, set_request_id
from tests.test_exceptions import REQUEST_ID_MIDDLEWARE

FIELDS = ("event", "client_ip", "user_id", "method", "path", "status", "request_id")


@pytest.fixture
def events(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="drf_hardening.security")
    return caplog


def security(events: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in events.records if r.name == "drf_hardening.security"]


def test_log_event_has_every_field(events: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().post("/api/login/", REMOTE_ADDR="203.0.113.9")
    token = set_request_id("current-request-id")
    try:
        log_event("authentication_failed", request, status=401)
    finally:
        reset_request_id(token)

    [record] = security(events)
    assert record.levelno == logging.WARNING
    assert {name: getattr(record, name) for name in FIELDS} == {
        "event": "authentication_failed",
        "client_ip": "203.0.113.9",
        "user_id": None,
        "method": "POST",
        "path": "/api/login/",
        "status": 401,
        "request_id": "current-request-id",
    }
    assert record.getMessage().startswith("authentication_failed status=401 method=POST")


def test_log_event_5xx_is_error(events: pytest.LogCaptureFixture) -> None:
    log_event("server_error", RequestFactory().get("/"), status=503)

    assert security(events)[0].levelno == logging.ERROR


@pytest.mark.django_db
def test_log_event_records_authenticated_user(events: pytest.LogCaptureFixture) -> None:
    user = User.objects.create(username="alice")
    request = RequestFactory().get("/")
    request.user = user

    log_event("permission_denied", request, status=403)

    assert security(events)[0].user_id == user.pk  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_log_event_reads_a_lazy_user_already_loaded(events: pytest.LogCaptureFixture) -> None:
    user = User.objects.create(username="alice")
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(lambda: user)  # type: ignore[assignment]
    assert request.user.is_authenticated  # the view used it: loaded

    log_event("permission_denied", request, status=403)

    assert security(events)[0].user_id == user.pk  # type: ignore[attr-defined]


def test_log_event_does_not_load_a_lazy_user(events: pytest.LogCaptureFixture) -> None:
    load_user = Mock(return_value=AnonymousUser())  # loading reads the session and the user
    request = RequestFactory().get("/")
    request.user = SimpleLazyObject(load_user)  # type: ignore[assignment]

    log_event("server_error", request, status=500)

    load_user.assert_not_called()
    assert security(events)[0].user_id is None  # type: ignore[attr-defined]


def test_log_event_anonymous_user_is_none(events: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    log_event("permission_denied", request)

    assert security(events)[0].user_id is None  # type: ignore[attr-defined]


def test_log_event_does_not_run_drf_authentication(events: pytest.LogCaptureFixture) -> None:
    authenticator = Mock(spec=BaseAuthentication)
    request = Request(RequestFactory().get("/"), authenticators=[authenticator])

    log_event("throttled", request, status=429)

    authenticator.authenticate.assert_not_called()
    assert security(events)[0].user_id is None  # type: ignore[attr-defined]


def test_log_event_masks_credential_named_fields(events: pytest.LogCaptureFixture) -> None:
    log_event(
        "login_failed",
        RequestFactory().get("/"),
        password="hunter2",
        api_key="k-123",
        username="bob",
    )

    record = security(events)[0]
    assert record.password == MASK  # type: ignore[attr-defined]
    assert record.api_key == MASK  # type: ignore[attr-defined]
    assert record.username == "bob"  # type: ignore[attr-defined]


def test_log_event_redacts_nested_fields(events: pytest.LogCaptureFixture) -> None:
    log_event(
        "upstream_refused",
        RequestFactory().get("/"),
        upstream={"headers": {"Authorization": "Token abc123secret"}, "note": "a\nb"},
        attempts=[{"api_key": "k-123"}],
    )

    record = security(events)[0]
    assert record.upstream == {"headers": {"Authorization": MASK}, "note": "a\\nb"}  # type: ignore[attr-defined]
    assert record.attempts == [{"api_key": MASK}]  # type: ignore[attr-defined]


def test_log_event_renames_reserved_fields(events: pytest.LogCaptureFixture) -> None:
    log_event("custom", RequestFactory().get("/"), message="hello", name="x")

    record = security(events)[0]
    assert record.message_ == "hello"  # type: ignore[attr-defined]
    assert record.name == "drf_hardening.security"


def test_log_event_escapes_line_breaks(events: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().get("/api/x%0D%0AFAKE%20LOG%20LINE")

    log_event("permission_denied", request, username="eve\nFAKE")

    record = security(events)[0]
    assert "\n" not in record.getMessage()
    assert record.path == "/api/x\\r\\nFAKE LOG LINE"  # type: ignore[attr-defined]
    assert record.username == "eve\\nFAKE"  # type: ignore[attr-defined]


def test_log_event_logs_each_event_once_per_request(events: pytest.LogCaptureFixture) -> None:
    request = RequestFactory().get("/")
    drf_request = Request(request)

    log_event("throttled", request, scope="anon")
    log_event("throttled", drf_request, status=429)  # the same request, seen through DRF
    log_event("permission_denied", request)
    log_event("throttled", RequestFactory().get("/"))  # another request

    assert [(r.event, getattr(r, "scope", None)) for r in security(events)] == [  # type: ignore[attr-defined]
        ("throttled", "anon"),
        ("permission_denied", None),
        ("throttled", None),
    ]


# Events of the error handler, through the full stack ----------------------------


@pytest.fixture
def client(settings: Any) -> Client:
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler",
    }
    settings.MIDDLEWARE = [REQUEST_ID_MIDDLEWARE]
    return Client(raise_request_exception=False)


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "headers", "event", "status"),
    [
        ("/api/token/", {"HTTP_AUTHORIZATION": "Token abc123secret"}, "authentication_failed", 401),
        ("/api/token/", {}, "authentication_required", 401),
        ("/api/forbidden/", {}, "permission_denied", 403),
        ("/api/django-forbidden/", {}, "permission_denied", 403),
        ("/api/throttled/", {}, "throttled", 429),
        ("/api/boom/", {}, "server_error", 500),
    ],
)
def test_handler_logs_security_event(
    client: Client,
    events: pytest.LogCaptureFixture,
    url: str,
    headers: dict[str, str],
    event: str,
    status: int,
) -> None:
    response = client.get(url, **headers)  # type: ignore[arg-type]

    [record] = security(events)
    assert response.status_code == status
    assert record.event == event  # type: ignore[attr-defined]
    assert record.status == status  # type: ignore[attr-defined]
    assert record.path == url  # type: ignore[attr-defined]
    assert record.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]
    assert "abc123secret" not in repr(vars(record))


@pytest.mark.urls("tests.urls_errors")
def test_handler500_logs_without_touching_the_database(
    settings: Any, events: pytest.LogCaptureFixture
) -> None:
    # No django_db mark: any query raises, as when the database is what failed.
    # With a session cookie, reading request.user would load the session from it.
    settings.MIDDLEWARE = [
        REQUEST_ID_MIDDLEWARE,
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a" * 32

    response = client.get("/plain/boom/")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    [record] = security(events)
    assert (record.event, record.user_id) == ("server_error", None)  # type: ignore[attr-defined]


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.parametrize(
    ("data", "codes"),
    [
        ({"author": "admin\u202egnp.exe"}, ["bidi_control"]),
        (
            {"author": "bob", "replies": ["ok", "x\u200by", "\x1b[2J"]},
            ["control_character", "invisible_character"],
        ),
    ],
)
def test_handler_logs_input_rejected_by_the_text_policy(
    client: Client, events: pytest.LogCaptureFixture, data: dict[str, Any], codes: list[str]
) -> None:
    response = client.post("/api/comment/", data, content_type="application/json")

    assert response.status_code == 400
    [record] = security(events)
    assert record.event == "input_rejected"  # type: ignore[attr-defined]
    assert record.status == 400  # type: ignore[attr-defined]
    assert record.codes == codes  # type: ignore[attr-defined]
    assert record.request_id == response["X-Request-ID"]  # type: ignore[attr-defined]
    assert "\u202e" not in repr(vars(record))


@pytest.mark.urls("tests.urls_errors")
def test_handler_logs_no_event_for_everyday_text_mistakes(
    client: Client, events: pytest.LogCaptureFixture
) -> None:
    client.post("/api/comment/", {"author": ""}, content_type="application/json")
    client.post("/api/comment/", {"author": "x" * 30}, content_type="application/json")
    client.post("/api/comment/", {}, content_type="application/json")

    assert security(events) == []


@pytest.mark.urls("tests.urls_errors")
def test_handler_logs_no_event_for_validation_errors(
    client: Client, events: pytest.LogCaptureFixture
) -> None:
    client.post("/api/validation-message/")
    client.get("/api/missing-url/")

    assert security(events) == []


@pytest.mark.urls("tests.urls_errors")
def test_library_throttle_and_handler_log_one_throttled_event(
    client: Client, events: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min"},
    }
    cache.clear()

    first = client.get("/api/library-throttled/")
    second = client.get("/api/library-throttled/")

    assert (first.status_code, second.status_code) == (200, 429)
    [record] = security(events)
    assert record.event == "throttled"  # type: ignore[attr-defined]
    assert record.scope == "anon"  # type: ignore[attr-defined]
