"""drf_hardening.checks.errors: one test per id, and the defaults pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.core.signals import setting_changed
from django.test import signals

from drf_hardening.checks import errors
from drf_hardening.exceptions import ExceptionHandler
from drf_hardening.logging import RedactingFilter
from drf_hardening.presets.logging import logging_preset
from tests.helpers import check_ids

OUR_HANDLER = "drf_hardening.exceptions.exception_handler"


@pytest.fixture(autouse=True)
def _logging_is_not_reconfigured() -> Iterator[None]:
    """Let tests set a deliberately broken LOGGING for the checks to read.

    Django 6.1 reconfigures logging whenever a test changes LOGGING
    (``django.test.signals.update_logging_config``); these configurations are
    only data for the checks, and some would not configure.
    """
    receiver = getattr(signals, "update_logging_config", None)
    if receiver is None:  # Django < 6.1
        yield
        return
    setting_changed.disconnect(receiver)
    try:
        yield
    finally:
        setting_changed.connect(receiver)


@pytest.fixture
def wired(settings: Any) -> Any:
    """A project wired the way the presets wire it."""
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": OUR_HANDLER}
    settings.MIDDLEWARE = ["drf_hardening.middleware.RequestIDMiddleware"]
    settings.CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
    settings.ROOT_URLCONF = "tests.urls_errors"
    settings.LOGGING = logging_preset(profile="production", log_file="/tmp/api.log")
    return settings


def test_defaults_pass() -> None:
    assert check_ids(*errors.CHECKS) == []


def test_wired_project_passes(wired: Any) -> None:
    assert check_ids(*errors.CHECKS) == []


class Handler(ExceptionHandler):
    """A subclass for EXCEPTION_HANDLER_CLASS."""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("tests.no_such_module.Handler", "cannot be imported"),
        ("tests.test_checks_errors.NoSuchHandler", "cannot be imported"),
        ("tests.helpers.check_ids", "is not a subclass"),
        ("drf_hardening.logging.RedactingFilter", "is not a subclass"),
    ],
)
def test_e063_bad_exception_handler_class(settings: Any, value: str, problem: str) -> None:
    settings.DRF_HARDENING = {"EXCEPTION_HANDLER_CLASS": value}

    [message] = errors.check_exception_handler_class()

    assert message.id == "drf_hardening.E063"
    assert repr(value) in message.msg
    assert problem in message.msg


def test_e063_accepts_a_subclass(wired: Any) -> None:
    wired.DRF_HARDENING = {"EXCEPTION_HANDLER_CLASS": "tests.test_checks_errors.Handler"}

    assert check_ids(*errors.CHECKS) == []


def test_w060_plain_file_handler(settings: Any) -> None:
    settings.LOGGING = {
        "version": 1,
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": "debug.log"},
            "broken": "not a mapping",
        },
    }

    [message] = errors.check_unbounded_log_file()

    assert message.id == "drf_hardening.W060"
    assert "'file'" in message.msg


def test_w061_request_logger_without_redaction(settings: Any) -> None:
    config = logging_preset(profile="production")
    config["handlers"]["plain"] = {"class": "logging.StreamHandler", "filters": ["unknown"]}
    config["loggers"]["django.request"]["handlers"].append("plain")
    config["loggers"]["drf_hardening.security"] = "not a mapping"
    settings.LOGGING = config

    [message] = errors.check_unredacted_handlers()

    assert message.id == "drf_hardening.W061"
    assert "'plain'" in message.msg


class OwnRedactingFilter(RedactingFilter):
    pass


@pytest.mark.parametrize(
    "factory",
    ["tests.test_checks_errors.OwnRedactingFilter", OwnRedactingFilter, RedactingFilter],
)
def test_w061_accepts_subclasses_of_the_filter(settings: Any, factory: Any) -> None:
    # docs/logging.md tells users to subclass RedactingFilter to add patterns.
    config = logging_preset(profile="production")
    config["filters"]["drf_hardening_redact"] = {"()": factory}
    settings.LOGGING = config

    assert errors.check_unredacted_handlers() == []


def test_w061_unimportable_filter_does_not_count(settings: Any) -> None:
    config = logging_preset(profile="production")
    config["filters"]["drf_hardening_redact"] = {"()": "no.such.module.Filter"}
    settings.LOGGING = config

    assert check_ids(errors.check_unredacted_handlers) == ["drf_hardening.W061"]


def test_w062_request_id_middleware_missing(wired: Any) -> None:
    wired.MIDDLEWARE = []

    [message] = errors.check_request_id_middleware()
    assert message.id == "drf_hardening.W062"
    assert "first in MIDDLEWARE (before django.middleware.security.SecurityMiddleware)" in str(
        message.hint
    )


def test_w062_accepts_request_id_middleware_before_security_middleware(wired: Any) -> None:
    wired.MIDDLEWARE = [
        "drf_hardening.middleware.RequestIDMiddleware",
        "django.middleware.security.SecurityMiddleware",
    ]

    assert check_ids(*errors.CHECKS) == []


def test_w063_url_handlers_missing(wired: Any) -> None:
    wired.ROOT_URLCONF = "tests.urls"

    [message] = errors.check_error_handlers()

    assert message.id == "drf_hardening.W063"
    assert 'handler404 = "drf_hardening.views.handler404"' in str(message.hint)


def test_w063_accepts_handlers_given_as_functions(wired: Any) -> None:
    wired.ROOT_URLCONF = "tests.test_checks_errors"

    assert errors.check_error_handlers() == []


def test_w063_skips_unimportable_urlconf(wired: Any) -> None:
    wired.ROOT_URLCONF = "tests.no_such_urls_module"

    assert errors.check_error_handlers() == []


def test_w064_csrf_failure_view_is_django_default(wired: Any) -> None:
    wired.CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

    assert check_ids(errors.check_csrf_failure_view) == ["drf_hardening.W064"]


def test_wiring_checks_ignore_projects_without_our_handler(wired: Any) -> None:
    wired.REST_FRAMEWORK = {}
    wired.MIDDLEWARE = []
    wired.ROOT_URLCONF = "tests.urls"
    wired.CSRF_FAILURE_VIEW = "django.views.csrf.csrf_failure"

    assert check_ids(*errors.CHECKS) == []


@pytest.mark.parametrize(
    ("key", "value", "check_id"),
    [
        ("ERROR_FORMAT", "xml", "E060"),
        ("REQUEST_ID_HEADER", "X Request ID", "E061"),
        ("API_PATH_PREFIXES", "/api/", "E062"),
        ("EXCEPTION_HANDLER_CLASS", "tests.no_such_module.Handler", "E063"),
    ],
)
def test_errors_stop_manage_py_check(settings: Any, key: str, value: str, check_id: str) -> None:
    settings.DRF_HARDENING = {key: value}

    with pytest.raises(SystemCheckError, match=rf"drf_hardening\.{check_id}"):
        call_command("check")


# This module doubles as a root URLconf whose handlers are functions, not paths.
from drf_hardening import views as _views  # noqa: E402

urlpatterns: list[Any] = []
handler400 = _views.handler400
handler403 = _views.handler403
handler404 = _views.handler404
handler500 = _views.handler500
