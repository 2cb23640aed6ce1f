"""drf_hardening.views: JSON errors for what happens outside DRF's views."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.test import Client

from drf_hardening import names
from tests.helpers import expect_error, log_extra

pytestmark = pytest.mark.urls("tests.urls_errors")


@pytest.fixture
def client(settings: Any) -> Client:
    settings.MIDDLEWARE = [
        names.SECURITY_MIDDLEWARE,
        names.REQUEST_ID_MIDDLEWARE,
        names.COMMON_MIDDLEWARE,
        names.CSRF_MIDDLEWARE,
    ]
    settings.CSRF_FAILURE_VIEW = names.CSRF_FAILURE_VIEW
    return Client(raise_request_exception=False)


def test_unknown_url_is_json_404(client: Client, error_format: str) -> None:
    response = client.get("/no/such/page/")

    expect_error(response, error_format, 404, "not_found", "Not found.")


def test_unknown_url_does_not_list_url_patterns(client: Client) -> None:
    response = client.get("/no/such/page/")

    assert b"api/boom" not in response.content
    assert b"<html" not in response.content.lower()


@pytest.mark.django_db
def test_plain_view_http404_does_not_name_the_model(client: Client, error_format: str) -> None:
    response = client.get("/plain/missing/")

    expect_error(response, error_format, 404, "not_found", "Not found.")
    assert b"User" not in response.content
    assert b"matches" not in response.content


def test_plain_view_exception_is_generic_json_500(
    client: Client, error_format: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="django.request")

    response = client.get("/plain/boom/")

    expect_error(response, error_format, 500, "server_error", "A server error occurred.")
    assert b"secret-db-password" not in response.content
    assert b"RuntimeError" not in response.content
    # Django logged the traceback itself, with the same id.
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None
    assert "secret-db-password" in caplog.text


def test_plain_view_permission_denied_is_json_403(client: Client, error_format: str) -> None:
    response = client.get("/plain/forbidden/")

    expect_error(
        response,
        error_format,
        403,
        "permission_denied",
        "You do not have permission to perform this action.",
    )
    assert b"rule 17" not in response.content


def test_plain_view_suspicious_operation_is_json_400(client: Client, error_format: str) -> None:
    response = client.get("/plain/suspicious/")

    expect_error(response, error_format, 400, "bad_request", "Bad request.")
    assert b"evil.example" not in response.content


def test_plain_view_body_too_big_is_json_413(
    client: Client, error_format: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10

    response = client.post("/plain/body/", "x" * 100, content_type="text/plain")

    expect_error(response, error_format, 413, "request_too_large", "Request body too large.")


def test_csrf_failure_is_json_403_without_reason(error_format: str, settings: Any) -> None:
    settings.MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
    settings.CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = client.post("/plain/csrf/", HTTP_ORIGIN="https://attacker.example")

    assert response.status_code == 403
    assert b"attacker.example" not in response.content
    body = response.json()
    if error_format == "envelope":
        assert body["error"]["code"] == "csrf_failed"
    elif error_format == "problem":
        assert response["Content-Type"] == "application/problem+json"
        assert body["code"] == "csrf_failed"
    else:
        assert body == {"detail": "CSRF verification failed."}


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/no/such/page/", 404),
        ("/plain/boom/", 500),
        ("/plain/forbidden/", 403),
        ("/plain/suspicious/", 400),
    ],
)
def test_non_api_paths_keep_django_pages(
    client: Client, settings: Any, url: str, status: int
) -> None:
    settings.DRF_HARDENING = {"API_PATH_PREFIXES": ["/api/"]}

    response = client.get(url)

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("value", [None, "/api/", ["/api/", None]])
def test_malformed_api_path_prefixes_read_as_every_path(
    client: Client, settings: Any, value: Any
) -> None:
    # drf_hardening.E062 reports it, but checks do not run under gunicorn.
    settings.DRF_HARDENING = {"API_PATH_PREFIXES": value}

    missing = client.get("/plain/no-such-page/")
    boom = client.get("/plain/boom/")

    assert (missing.status_code, boom.status_code) == (404, 500)
    assert missing.json()["error"]["code"] == "not_found"
    assert boom.json()["error"]["code"] == "server_error"


def test_non_api_path_keeps_django_csrf_page(settings: Any) -> None:
    settings.MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
    settings.CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
    settings.DRF_HARDENING = {"API_PATH_PREFIXES": ["/api/"]}

    response = Client(enforce_csrf_checks=True).post("/plain/csrf/")

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_api_path_prefix_selects_json(client: Client, settings: Any) -> None:
    settings.DRF_HARDENING = {"API_PATH_PREFIXES": ["/api/"]}

    response = client.get("/api/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_error_view_events_are_logged(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="drf_hardening.security")

    client.get("/plain/forbidden/")
    client.get("/plain/boom/")

    events = [log_extra(r, "event") for r in caplog.records if r.name == "drf_hardening.security"]
    assert events == ["permission_denied", "server_error"]


def test_plain_view_django_bad_request_is_json_400(client: Client, error_format: str) -> None:
    response = client.get("/plain/bad-request/")

    expect_error(response, error_format, 400, "bad_request", "Bad request.")
    assert b"script" not in response.content


def test_malformed_multipart_body_is_json_400_not_500(client: Client) -> None:
    # Django raises MultiPartParserError when request.POST is read, and calls handler400.
    response = client.generic(
        "POST", "/plain/form/", b"--x\r\n", content_type="multipart/form-data; boundary="
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_suspicious_operation_is_logged_once_by_django(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="django.security")

    client.get("/plain/suspicious/")

    records = [r for r in caplog.records if r.name.startswith("django.security.")]
    assert [r.name for r in records] == ["django.security.SuspiciousOperation"]


def test_csrf_failure_logs_csrf_failed_event(
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
    settings.CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
    caplog.set_level(logging.WARNING, logger="drf_hardening.security")

    Client(enforce_csrf_checks=True).post("/plain/csrf/")

    events = [log_extra(r, "event") for r in caplog.records if r.name == "drf_hardening.security"]
    assert events == ["csrf_failed"]
