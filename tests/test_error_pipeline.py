"""One error pipeline: the class in EXCEPTION_HANDLER_CLASS answers every error of the library.

The subclass used here is the worked example of docs/errors.md ("Changing one
step"), read from the page itself, so the docs cannot drift from what runs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.checks import run_checks
from django.core.exceptions import SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from drf_hardening import names
from drf_hardening.exceptions import ExceptionHandler, error_response
from drf_hardening.middleware import FailedAuthGuardMiddleware
from tests import urls_errors
from tests.helpers import check_ids, log_extra

DOCS = Path(__file__).resolve().parent.parent / "docs" / "errors.md"
EXAMPLE_MODULE = "docs_errors_example"


def load_docs_example() -> types.ModuleType:
    """The ``# myproject/errors.py`` block of docs/errors.md, as an importable module."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)
    [source] = [block for block in blocks if block.startswith("# myproject/errors.py\n")]
    module = types.ModuleType(EXAMPLE_MODULE)
    exec(compile(source, f"{DOCS}:{EXAMPLE_MODULE}", "exec"), module.__dict__)
    sys.modules[EXAMPLE_MODULE] = module
    return module


example = load_docs_example()
HANDLER_CLASS = f"{EXAMPLE_MODULE}.ApiExceptionHandler"


class Credit(urls_errors.JSONView):
    def get(self, request: Request) -> Response:
        raise example.InsufficientCredit()


# This module is the root URLconf of its tests: tests/urls_errors.py plus a view that
# raises the example's domain exception.
urlpatterns = [path("api/credit/", Credit.as_view()), *urls_errors.urlpatterns]
handler400 = names.ERROR_VIEWS[400]
handler403 = names.ERROR_VIEWS[403]
handler404 = names.ERROR_VIEWS[404]
handler500 = names.ERROR_VIEWS[500]

pytestmark = [pytest.mark.urls("tests.test_error_pipeline"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def project(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A project wired as the presets wire it, with the docs' subclass in the setting."""
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
        "DEFAULT_PARSER_CLASSES": [names.JSON_PARSER],
    }
    settings.MIDDLEWARE = [
        names.REQUEST_ID_MIDDLEWARE,  # first, as the presets now put it
        names.SECURITY_MIDDLEWARE,
        names.CORS_MIDDLEWARE,
        names.AUTH_GUARD_MIDDLEWARE,
        names.SESSION_MIDDLEWARE,
        names.COMMON_MIDDLEWARE,
        names.CSRF_MIDDLEWARE,
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ]
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    settings.CSRF_FAILURE_VIEW = names.CSRF_FAILURE_VIEW
    settings.DRF_HARDENING = {
        "PROFILE": "development",
        "EXCEPTION_HANDLER_CLASS": HANDLER_CLASS,
        "FAILED_AUTH_RATE": "1/min",
    }
    # The guard's window must not end between two requests of a test.
    monkeypatch.setattr(FailedAuthGuardMiddleware, "timer", lambda self: 1_000_000.0)
    cache.clear()
    return settings


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["request_id"] == response["X-Request-ID"]
    assert error["docs_url"] == example.DOCS + code
    return error


def security_events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [log_extra(r, "event") for r in caplog.records if r.name == "drf_hardening.security"]


def test_docs_settings_name_the_example_class() -> None:
    text = DOCS.read_text()
    assert issubclass(example.ApiExceptionHandler, ExceptionHandler)
    assert '"EXCEPTION_HANDLER_CLASS": "myproject.errors.ApiExceptionHandler"' in text


def test_drf_400_goes_through_the_subclass(client: Client) -> None:
    error_of(client.post("/api/validate/", {}, content_type="application/json"), 400, "invalid")


def test_domain_exception_is_the_subclass_409(client: Client) -> None:
    error_of(client.get("/api/credit/"), 409, "insufficient_credit")


def test_url_resolver_404_goes_through_the_subclass(client: Client) -> None:
    error_of(client.get("/api/no-such-endpoint/"), 404, "not_found")


def test_django_level_500_goes_through_the_subclass(client: Client) -> None:
    error_of(client.get("/plain/boom/"), 500, "server_error")


def test_guard_429_goes_through_the_subclass(client: Client) -> None:
    first = client.get("/api/token/", HTTP_AUTHORIZATION="Token wrong")
    refused = client.get("/api/token/", HTTP_AUTHORIZATION="Token wrong")

    error_of(first, 401, "authentication_failed")
    error_of(refused, 429, "throttled")
    assert int(refused["Retry-After"]) > 0


@pytest.fixture
def logged_in() -> Client:
    """A real session login (password checked by the auth backend), CSRF enforced."""
    User.objects.create_user("alice", password="correct-horse-9")
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert client.login(username="alice", password="correct-horse-9")
    return client


def test_both_csrf_failures_answer_alike(
    logged_in: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="drf_hardening.security")
    origin = {"HTTP_ORIGIN": "https://attacker.example"}

    post: dict[str, Any] = {"data": {}, "content_type": "application/json", **origin}
    django_check = logged_in.post("/plain/csrf/", **post)  # CsrfViewMiddleware
    session_check = logged_in.post("/api/session/", **post)  # SessionAuthentication

    answers = [error_of(r, 403, "csrf_failed") for r in (django_check, session_check)]
    for answer in answers:
        answer.pop("request_id")
    assert answers[0] == answers[1]
    assert answers[0]["message"] == "CSRF verification failed."
    for response in (django_check, session_check):
        assert b"attacker" not in response.content
        assert b"CSRF Failed" not in response.content
    assert security_events(caplog) == ["csrf_failed", "csrf_failed"]


@pytest.mark.parametrize("url", ["/plain/csrf/", "/api/session/"])
def test_same_posts_with_the_csrf_token_pass(logged_in: Client, url: str) -> None:
    # The 403s above are the CSRF checks' own: with a token both requests get through.
    secret = "s3cr3t" * 5 + "ab"  # CSRF_SECRET_LENGTH (32) letters and digits
    logged_in.cookies["csrftoken"] = secret

    response = logged_in.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 200


def test_subclass_fires_no_check_message() -> None:
    # RequestIDMiddleware first, above SecurityMiddleware (the presets' order), is no W005.
    assert [i for i in check_ids(run_checks) if i.startswith("drf_hardening.")] == []


# error_response, the function the views and the guard call ----------------------


@pytest.fixture
def request_factory() -> RequestFactory:
    return RequestFactory()


def test_error_response_renders_json_with_headers(
    request_factory: RequestFactory, project: Any
) -> None:
    project.DRF_HARDENING = {}

    response = error_response(request_factory.get("/api/x/"), exceptions.Throttled(41.2))

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "42"  # DRF's Throttled rounds the wait up
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert json.loads(response.content)["error"] == {
        "status": 429,
        "code": "throttled",
        "message": "Request was throttled. Expected available in 42 seconds.",
        "fields": {},
        "request_id": request_id,
    }


def test_error_response_in_problem_format(request_factory: RequestFactory, project: Any) -> None:
    project.DRF_HARDENING = {"ERROR_FORMAT": "problem"}

    class Unavailable(exceptions.APIException):
        status_code = 503
        default_code = "unavailable"

    response = error_response(request_factory.get("/api/x/"), Unavailable())

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert (body["code"], body["instance"]) == ("unavailable", "/api/x/")


def test_error_response_reports_an_unhandled_exception(
    request_factory: RequestFactory, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[Any] = []

    def receiver(sender: Any, request: Any, **kwargs: Any) -> None:
        received.append(request)

    caplog.set_level(logging.ERROR, logger="django.request")
    request = request_factory.get("/api/x/")
    got_request_exception.connect(receiver)
    try:
        response = error_response(request, RuntimeError("secret-db-password"))
    finally:
        got_request_exception.disconnect(receiver)

    assert response.status_code == 500
    assert b"secret" not in response.content
    assert received == [request]
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.exc_info is not None


@pytest.mark.parametrize(("reported", "logged"), [(False, 1), (True, 0)])
def test_error_response_leaves_what_django_reported(
    request_factory: RequestFactory, caplog: pytest.LogCaptureFixture, reported: bool, logged: int
) -> None:
    caplog.set_level(logging.ERROR, logger="django.security")

    response = error_response(
        request_factory.get("/x/"), SuspiciousOperation("bad"), exception_reported=reported
    )

    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.SuspiciousOperation"]
    assert len(records) == logged


class PlainResponseHandler(ExceptionHandler):
    def make_response(self, data: Any, error: Any, headers: dict[str, str]) -> Any:
        return HttpResponse("plain", status=error.status)


def test_error_response_returns_a_subclass_plain_response(
    request_factory: RequestFactory, project: Any
) -> None:
    project.DRF_HARDENING = {
        "EXCEPTION_HANDLER_CLASS": "tests.test_error_pipeline.PlainResponseHandler"
    }

    response = error_response(request_factory.get("/x/"), exceptions.NotFound())

    assert (response.status_code, response.content) == (404, b"plain")
