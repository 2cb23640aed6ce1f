"""drf_hardening.exceptions.exception_handler through the full stack, in every format."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from drf_hardening import exceptions as hardening_exceptions
from drf_hardening import names
from drf_hardening.exceptions import ExceptionHandler, exception_handler, get_handler_class
from tests.helpers import error_summary, expect_error, log_extra
from tests.urls_errors import ORDER

pytestmark = pytest.mark.urls("tests.urls_errors")

# Other test modules import it from here (the lead moves them to names.REQUEST_ID_MIDDLEWARE).
REQUEST_ID_MIDDLEWARE = names.REQUEST_ID_MIDDLEWARE


@pytest.fixture
def client(settings: Any) -> Client:
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
    }
    settings.MIDDLEWARE = [
        names.SECURITY_MIDDLEWARE,
        names.REQUEST_ID_MIDDLEWARE,
        names.COMMON_MIDDLEWARE,
    ]
    return Client(raise_request_exception=False)


# 500 ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False])
def test_unhandled_exception_reveals_nothing_in_any_format(
    client: Client, error_format: str, settings: Any, debug: bool, caplog: pytest.LogCaptureFixture
) -> None:
    settings.DEBUG = debug
    caplog.set_level(logging.ERROR, logger="django.request")

    response = client.get("/api/boom/")

    expect_error(response, error_format, 500, "server_error", "A server error occurred.")
    for leak in ("secret-db-password", "RuntimeError", "Traceback", "urls_errors", "line "):
        assert leak not in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    assert "secret-db-password" in caplog.text
    assert "Traceback" in caplog.text
    assert log_extra(record, "request_id") == response["X-Request-ID"]


@pytest.mark.django_db
def test_unhandled_exception_sends_got_request_exception(client: Client) -> None:
    received: list[Any] = []

    def receiver(sender: Any, request: Any, **kwargs: Any) -> None:
        received.append(request)

    got_request_exception.connect(receiver)
    try:
        client.get("/api/boom/")
    finally:
        got_request_exception.disconnect(receiver)

    assert len(received) == 1
    assert received[0].path == "/api/boom/"


@pytest.mark.django_db
def test_unhandled_exception_is_logged_once(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="django.request")

    client.get("/api/boom/")

    assert len([r for r in caplog.records if r.name == "django.request"]) == 1


@pytest.mark.django_db(transaction=True)
def test_error_rolls_back_atomic_request(client: Client) -> None:
    connection.settings_dict["ATOMIC_REQUESTS"] = True
    try:
        response = client.get("/api/boom/")
    finally:
        connection.settings_dict["ATOMIC_REQUESTS"] = False

    assert response.status_code == 500
    assert not User.objects.filter(username="created-before-the-error").exists()


@pytest.mark.django_db(transaction=True)
def test_error_without_atomic_request_keeps_writes(client: Client) -> None:
    # The other side of the rollback test: without ATOMIC_REQUESTS nothing is undone.
    client.get("/api/boom/")

    assert User.objects.filter(username="created-before-the-error").exists()


# 400 ------------------------------------------------------------------------

NORMALISED_FIELDS = {
    "title": [{"code": "blank", "message": "This field may not be blank."}],
    "address": {
        "city": [
            {"code": "max_length", "message": "Ensure this field has no more than 5 characters."}
        ]
    },
    "items": {"1": {"name": [{"code": "required", "message": "This field is required."}]}},
    "tags": {"1": [{"code": "invalid", "message": "A valid integer is required."}]},
}
PROBLEM_ERRORS = [
    {"pointer": "#/title", "code": "blank", "detail": "This field may not be blank."},
    {
        "pointer": "#/address/city",
        "code": "max_length",
        "detail": "Ensure this field has no more than 5 characters.",
    },
    {"pointer": "#/items/1/name", "code": "required", "detail": "This field is required."},
    {"pointer": "#/tags/1", "code": "invalid", "detail": "A valid integer is required."},
]


def check_order_errors(response: Any, error_format: str) -> None:
    assert response.status_code == 400
    body = response.json()
    error_summary(response, error_format)
    if error_format == "envelope":
        assert body["error"]["code"] == "invalid"
        assert body["error"]["message"] == "Invalid input."
        assert body["error"]["fields"] == NORMALISED_FIELDS
    elif error_format == "problem":
        assert body["code"] == "invalid"
        assert body["detail"] == "Invalid input."
        assert body["errors"] == PROBLEM_ERRORS
    else:
        assert body["title"] == ["This field may not be blank."]
        assert body["address"] == {"city": ["Ensure this field has no more than 5 characters."]}
        assert body["tags"] == {"1": ["A valid integer is required."]}
        assert body["items"] in (
            {"1": {"name": ["This field is required."]}},  # DRF 3.18's dict form
            [{}, {"name": ["This field is required."]}],  # the list form before it
        )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/validate/", {"title": "t", "address": {"city": "Oslo"}, "items": [], "tags": [1]}),
        ("/api/validate-many/", [{"name": "a"}, {"name": "b"}]),
        ("/api/comment/", {"author": "ann", "replies": ["ok"]}),
    ],
)
def test_valid_bodies_reach_the_view(
    client: Client, error_format: str, path: str, body: Any
) -> None:
    # The other side of every 400 below: the handler only changes what fails.
    response = client.post(path, body, content_type="application/json")

    assert response.status_code == 200
    assert response.json() == body


def test_validation_errors_keep_nested_structure(client: Client, error_format: str) -> None:
    response = client.post("/api/validate/", ORDER, content_type="application/json")

    check_order_errors(response, error_format)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_validation_errors_of_list_form_many_match_dict_form(
    client: Client, error_format: str, settings: Any
) -> None:
    # DRF < 3.18, or LIST_SERIALIZER_ERRORS_AS_DICT=False: [{}, {...}] instead of {1: {...}}.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "LIST_SERIALIZER_ERRORS_AS_DICT": False}

    response = client.post("/api/validate/", ORDER, content_type="application/json")

    check_order_errors(response, error_format)
    if error_format == "drf":
        assert response.json()["items"] == [{}, {"name": ["This field is required."]}]


def test_validation_errors_of_top_level_many(client: Client, error_format: str) -> None:
    response = client.post(
        "/api/validate-many/", [{"name": "a"}, {}, {"name": ""}], content_type="application/json"
    )

    assert response.status_code == 400
    body = response.json()
    if error_format == "envelope":
        assert body["error"]["fields"] == {
            "1": {"name": [{"code": "required", "message": "This field is required."}]},
            "2": {"name": [{"code": "blank", "message": "This field may not be blank."}]},
        }
    elif error_format == "problem":
        assert [e["pointer"] for e in body["errors"]] == ["#/1/name", "#/2/name"]
    else:
        assert body in (
            {
                "1": {"name": ["This field is required."]},
                "2": {"name": ["This field may not be blank."]},
            },
            [{}, {"name": ["This field is required."]}, {"name": ["This field may not be blank."]}],
        )


def test_validation_message_goes_under_non_field_errors(client: Client, error_format: str) -> None:
    response = client.get("/api/validation-message/")

    assert response.status_code == 400
    body = response.json()
    if error_format == "envelope":
        assert body["error"]["fields"] == {
            "non_field_errors": [{"code": "invalid", "message": "The date range is reversed."}]
        }
    elif error_format == "problem":
        assert body["errors"] == [
            {"pointer": "#", "code": "invalid", "detail": "The date range is reversed."}
        ]
    else:
        assert body == ["The date range is reversed."]


def test_parse_error_does_not_echo_parser_or_input(client: Client, error_format: str) -> None:
    response = client.post("/api/echo/", b'{"title": nope-input}', content_type="application/json")

    expect_error(response, error_format, 400, "parse_error", "Malformed request.")
    assert b"nope-input" not in response.content
    assert b"Expecting" not in response.content


def test_django_bad_request_in_view_is_a_generic_400(client: Client, error_format: str) -> None:
    response = client.get("/api/django-bad-request/")

    expect_error(response, error_format, 400, "bad_request", "Bad request.")
    assert b"script" not in response.content


def test_suspicious_operation_is_a_generic_400(
    client: Client, error_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.get("/api/suspicious/")

    expect_error(response, error_format, 400, "bad_request", "Bad request.")
    assert b"evil.example" not in response.content
    assert any(r.name == "django.security.SuspiciousOperation" for r in caplog.records)


# 401 / 403 ------------------------------------------------------------------


@pytest.mark.django_db
def test_bad_token_is_401_with_www_authenticate(client: Client, error_format: str) -> None:
    response = client.get("/api/token/", HTTP_AUTHORIZATION="Token abc123secret")

    expect_error(response, error_format, 401, "authentication_failed", "Invalid token.")
    assert response["WWW-Authenticate"] == "Token"
    assert b"abc123secret" not in response.content


@pytest.mark.django_db
def test_a_valid_token_reaches_the_view(client: Client) -> None:
    token = Token.objects.create(user=User.objects.create(username="ann"))

    response = client.get("/api/token/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_missing_credentials_is_401(client: Client, error_format: str) -> None:
    response = client.get("/api/token/")

    expect_error(
        response,
        error_format,
        401,
        "not_authenticated",
        "Authentication credentials were not provided.",
    )
    assert response["WWW-Authenticate"] == "Token"


def test_permission_denied_is_403(client: Client, error_format: str) -> None:
    response = client.get("/api/forbidden/")

    expect_error(
        response,
        error_format,
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
    )


def test_django_permission_denied_message_is_not_sent(client: Client, error_format: str) -> None:
    response = client.get("/api/django-forbidden/")

    expect_error(
        response,
        error_format,
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
    )
    assert b"billing" not in response.content


# 404 / 405 / 406 / 413 / 415 / 429 --------------------------------------------


@pytest.mark.django_db
def test_http404_in_view_does_not_name_the_model(client: Client, error_format: str) -> None:
    response = client.get("/api/missing/")

    expect_error(response, error_format, 404, "not_found", "Not found.")
    assert b"User" not in response.content


def test_wrong_method_is_405_with_allow(client: Client, error_format: str) -> None:
    response = client.post("/api/get-only/")

    expect_error(response, error_format, 405, "method_not_allowed", 'Method "POST" not allowed.')
    assert "GET" in response["Allow"]


def test_unacceptable_accept_is_406_in_json(client: Client, error_format: str) -> None:
    response = client.get("/api/get-only/", HTTP_ACCEPT="text/html")

    expect_error(
        response,
        error_format,
        406,
        "not_acceptable",
        "Could not satisfy the request Accept header.",
    )


@pytest.mark.parametrize("url", ["/api/echo/", "/api/read-body/"])
def test_body_over_upload_limit_is_413(
    client: Client, error_format: str, settings: Any, url: str
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100

    response = client.post(url, {"text": "x" * 500}, content_type="application/json")

    expect_error(response, error_format, 413, "request_too_large", "Request body too large.")


def test_unsupported_media_type_is_415_without_echo(client: Client, error_format: str) -> None:
    response = client.post("/api/echo/", "hello", content_type="text/x-attacker-chosen")

    expect_error(
        response,
        error_format,
        415,
        "unsupported_media_type",
        "Unsupported media type in request.",
    )
    assert b"attacker" not in response.content


def test_throttled_is_429_with_retry_after(client: Client, error_format: str) -> None:
    response = client.get("/api/throttled/")

    assert response["Retry-After"] == "42"
    expect_error(
        response,
        error_format,
        429,
        "throttled",
        "Request was throttled. Expected available in 42 seconds.",
    )


def test_status_python_has_no_name_for_keeps_the_format(client: Client, error_format: str) -> None:
    # HTTPStatus(499) raises ValueError; the problem format must not turn it into a 500.
    response = client.get("/api/odd-status/")

    expect_error(response, error_format, 499, "client_closed_request", "Client closed the request.")
    if error_format == "problem":
        assert response.json()["title"] == "Client Error"


# Request ids ----------------------------------------------------------------


def test_error_body_carries_incoming_well_formed_request_id(client: Client) -> None:
    response = client.get("/api/forbidden/", HTTP_X_REQUEST_ID="req-0123456789abcdef")

    assert response["X-Request-ID"] == "req-0123456789abcdef"
    assert response.json()["error"]["request_id"] == "req-0123456789abcdef"


def test_error_without_middleware_still_has_a_request_id(client: Client, settings: Any) -> None:
    settings.MIDDLEWARE = []

    response = client.get("/api/forbidden/")

    request_id = response.json()["error"]["request_id"]
    assert len(request_id) == 32
    assert response["X-Request-ID"] == request_id


# The handler as a unit -------------------------------------------------------


def test_handler_without_request_in_context_still_answers() -> None:
    response = exception_handler(RuntimeError("secret-db-password"), {})

    assert response is not None
    assert response.status_code == 500
    assert response.data["error"]["code"] == "server_error"
    assert response.data["error"]["request_id"] == response["X-Request-ID"]


@pytest.mark.django_db
def test_handler_class_setting_runs_the_subclass(client: Client, settings: Any) -> None:
    settings.DRF_HARDENING = {"EXCEPTION_HANDLER_CLASS": "tests.test_exceptions.ConflictHandler"}

    response = client.get("/api/boom/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    # What the subclass does not convert goes through the base class's steps unchanged.
    forbidden = client.get("/api/forbidden/")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "permission_denied"


def test_handler_class_follows_settings(settings: Any) -> None:
    assert get_handler_class() is ExceptionHandler
    settings.DRF_HARDENING = {"EXCEPTION_HANDLER_CLASS": "tests.test_exceptions.ConflictHandler"}
    assert get_handler_class() is ConflictHandler
    settings.DRF_HARDENING = {}
    assert get_handler_class() is ExceptionHandler


@pytest.mark.parametrize(
    "path",
    [
        "tests.no_such_module.Handler",
        "tests.test_exceptions.Missing",
        "tests.helpers.expect_error",
    ],
)
def test_bad_handler_class_falls_back_and_logs_once(
    settings: Any, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    # drf_hardening.E063 stops manage.py check; a server that runs no checks must still answer.
    hardening_exceptions._import_handler_class.cache_clear()
    settings.DRF_HARDENING = {"EXCEPTION_HANDLER_CLASS": path}
    caplog.set_level(logging.ERROR, logger="drf_hardening.exceptions")

    classes = [get_handler_class() for _ in range(3)]

    assert classes == [ExceptionHandler] * 3
    [record] = [r for r in caplog.records if r.name == "drf_hardening.exceptions"]
    assert path in record.getMessage()


@pytest.mark.django_db
def test_handler_step_can_be_overridden(client: Client, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "tests.test_exceptions.conflict_handler",
    }

    response = client.get("/api/boom/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    # What the subclass does not convert goes through the base class's steps unchanged.
    forbidden = client.get("/api/forbidden/")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "permission_denied"


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Conflict."
    default_code = "conflict"


class ConflictHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RuntimeError):
            return Conflict()
        return super().convert_known_exceptions(exc)


def conflict_handler(exc: Exception, context: Any) -> Any:
    return ConflictHandler(exc, context).run()
