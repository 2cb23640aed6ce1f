"""``drf_hardening.logging.reporter``: error reports without the credentials of the URL.

Issue 17, finding 7: an error e-mail carried ``?access_token=...&password=...`` in the
URL, GET, ``QUERY_STRING`` and ``RAW_URI`` sections. Units first, then the report
Django's ``AdminEmailHandler`` sends for a 500 through the full stack (the
``mailoutbox`` of Django's test e-mail backend), then the same with Django's own
reporter and filter, which is the finding. Under gunicorn with a file e-mail backend:
``tests/test_attack_fixes.py``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter
from rest_framework.request import Request

from drf_hardening import names
from drf_hardening.logging.redaction import MASK
from drf_hardening.logging.reporter import (
    MAX_QUERY_ITEMS,
    SafeExceptionReporter,
    SafeExceptionReporterFilter,
    mask_query_string,
    mask_url,
    masked_request,
    query_items,
)
from drf_hardening.presets.logging import MAIL_ADMINS_HANDLER, logging_preset
from tests.helpers import ADMINS

SECRETS = ("S3CR3T-token-value", "hunter2-password", "k3y-value")
QUERY = f"access_token={SECRETS[0]}&page=2&password={SECRETS[1]}&X-Api-Key={SECRETS[2]}&q=milk"


def test_mask_query_string_masks_credential_names_only() -> None:
    assert mask_query_string(QUERY) == (
        f"access_token={MASK}&page=2&password={MASK}&X-Api-Key={MASK}&q=milk"
    )
    assert mask_query_string("") == ""
    assert mask_query_string("flag&token") == "flag&token"  # no value, nothing to mask
    assert mask_query_string("pass%77ord=x&a+token=y") == f"pass%77ord={MASK}&a+token={MASK}"


def test_mask_url_keeps_the_path() -> None:
    assert mask_url(f"/api/tasks/?{QUERY}").startswith(f"/api/tasks/?access_token={MASK}&page=2")
    assert mask_url("/api/tasks/") == "/api/tasks/"


def test_query_items_are_decoded_and_bounded() -> None:
    assert query_items("q=caf%C3%A9+au+lait&token=abc") == [("q", "café au lait"), ("token", MASK)]
    flood = "&".join(f"p{i}=x" for i in range(MAX_QUERY_ITEMS + 50))
    items = query_items(flood)
    assert len(items) == MAX_QUERY_ITEMS + 1
    assert items[-1] == ("…", "50 more parameters left out")


def test_filter_masks_url_meta_keys() -> None:
    request = RequestFactory().get(
        f"/api/tasks/?{QUERY}",
        HTTP_REFERER=f"https://app.example.com/?{QUERY}",
        RAW_URI=f"/api/tasks/?{QUERY}",
        REQUEST_URI=f"/api/tasks/?{QUERY}",
    )
    meta = SafeExceptionReporterFilter().get_safe_request_meta(request)
    for key in ("QUERY_STRING", "RAW_URI", "REQUEST_URI", "HTTP_REFERER"):
        assert not any(secret in meta[key] for secret in SECRETS), key
        assert "page=2" in meta[key]


def test_filter_masks_requests_querydicts_text_and_credential_variables() -> None:
    django_request = RequestFactory().get(f"/api/tasks/?{QUERY}")
    cleanse = SafeExceptionReporterFilter().cleanse_special_types
    for value in (django_request, Request(django_request)):
        shown = cleanse(django_request, value)
        assert isinstance(shown, str)
        assert shown.endswith(
            f"GET '/api/tasks/?access_token={MASK}&page=2&password={MASK}&X-Api-Key={MASK}&q=milk'>"
        )
    get = cleanse(django_request, QueryDict(QUERY))
    assert get.getlist("password") == [MASK]
    assert get.getlist("page") == ["2"]
    assert cleanse(django_request, f"url was /x?{QUERY}") == (
        f"url was /x?access_token={MASK}&page=2&password={MASK}&X-Api-Key={MASK}&q=milk"
    )
    assert cleanse(django_request, 42) == 42


def test_filter_masks_variables_with_a_credential_name() -> None:
    def failing(password: str, count: int) -> None:
        raise ValueError("boom")

    try:
        failing(SECRETS[1], 3)
    except ValueError:
        frame = sys.exc_info()[2].tb_next.tb_frame  # type: ignore[union-attr]
    variables = dict(SafeExceptionReporterFilter().get_traceback_frame_variables(None, frame))
    assert variables == {"password": MASK, "count": 3}


def test_filter_masks_the_password_of_urls_in_settings(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:cache-pass-9@redis.internal:6379/0",
        }
    }
    safe = SafeExceptionReporterFilter().get_safe_settings()
    assert safe["CACHES"]["default"]["LOCATION"] == f"redis://:{MASK}@redis.internal:6379/0"
    assert safe["SECRET_KEY"] == MASK


def test_masked_request_leaves_the_request_alone() -> None:
    request = RequestFactory().get(f"/api/tasks/?{QUERY}")
    clone = masked_request(request)
    assert clone.GET["password"] == MASK
    assert request.GET["password"] == SECRETS[1]
    assert request.META["QUERY_STRING"] == QUERY


def report(reporter: type[ExceptionReporter], request: Any) -> str:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_type, exc_value, tb = sys.exc_info()
        text: str = reporter(request, exc_type, exc_value, tb, is_email=True).get_traceback_text()
    return text


def test_safe_reporter_text_has_no_credential(settings: Any) -> None:
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = names.EXCEPTION_REPORTER_FILTER
    request = RequestFactory().get(f"/api/tasks/?{QUERY}", RAW_URI=f"/api/tasks/?{QUERY}")
    text = report(SafeExceptionReporter, request)
    assert not [secret for secret in SECRETS if secret in text]
    assert f"Request URL: http://testserver/api/tasks/?access_token={MASK}&page=2" in text
    assert "page = '2'" in text  # the GET section, masked but complete


def test_safe_reporter_survives_a_query_parameter_flood(settings: Any) -> None:
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = names.EXCEPTION_REPORTER_FILTER
    flood = "&".join(f"p{i}=x" for i in range(1001))
    request = RequestFactory().get(f"/api/tasks/?{flood}")
    text = report(SafeExceptionReporter, request)
    assert "901 more parameters left out" in text
    # Django's own reporter re-parses the query string: the finding behind issue 17's 500.
    from django.core.exceptions import TooManyFieldsSent

    with pytest.raises(TooManyFieldsSent):
        report(ExceptionReporter, RequestFactory().get(f"/api/tasks/?{flood}"))


# --- the full stack: a 500 e-mailed to ADMINS -------------------------------------------


@pytest.fixture
def mail_handler(settings: Any) -> Any:
    """The logging preset's mail handler on django.request, as dictConfig builds it."""
    settings.ADMINS = ADMINS
    settings.DEBUG = False
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER}
    settings.MIDDLEWARE = [names.REQUEST_ID_MIDDLEWARE]
    config = logging_preset(profile="production")["handlers"][MAIL_ADMINS_HANDLER]
    logger = logging.getLogger("django.request")
    saved = (logger.handlers[:], logger.propagate)

    def install() -> AdminEmailHandler:
        # Built after the settings: AdminEmailHandler reads DEFAULT_EXCEPTION_REPORTER then.
        handler = AdminEmailHandler()
        handler.setLevel(config["level"])
        logger.handlers = [handler]
        logger.propagate = False
        return handler

    yield install
    logger.handlers, logger.propagate = saved


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
def test_error_mail_of_the_preset_has_no_credential(
    settings: Any, mail_handler: Any, mailoutbox: list[Any]
) -> None:
    settings.DEFAULT_EXCEPTION_REPORTER = names.EXCEPTION_REPORTER
    settings.DEFAULT_EXCEPTION_REPORTER_FILTER = names.EXCEPTION_REPORTER_FILTER
    mail_handler()
    response = Client(raise_request_exception=False).get(f"/api/boom/?{QUERY}")
    assert response.status_code == 500
    [mail] = mailoutbox
    assert not [secret for secret in SECRETS if secret in mail.body]
    assert f"access_token={MASK}" in mail.body
    assert "RuntimeError" in mail.body


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
def test_error_mail_with_djangos_reporter_leaks_the_query_string(
    mail_handler: Any, mailoutbox: list[Any]
) -> None:
    # The finding: what the e-mail said before the preset set the reporter and its filter.
    mail_handler()
    Client(raise_request_exception=False).get(f"/api/boom/?{QUERY}")
    [mail] = mailoutbox
    assert SECRETS[0] in mail.body
    assert SECRETS[1] in mail.body


def test_production_preset_sets_the_reporter_and_its_filter() -> None:
    from drf_hardening.presets.profiles import Options, build_preset

    production = build_preset(Options(profile="production")).settings
    assert production["DEFAULT_EXCEPTION_REPORTER"] == names.EXCEPTION_REPORTER
    assert production["DEFAULT_EXCEPTION_REPORTER_FILTER"] == names.EXCEPTION_REPORTER_FILTER
    development = build_preset(Options(profile="development")).settings
    assert "DEFAULT_EXCEPTION_REPORTER" not in development
