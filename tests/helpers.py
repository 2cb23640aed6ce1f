"""Helpers shared by the test modules; shared fixtures are in ``tests/conftest.py``.

Test modules import what they share from here rather than from one another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import django
from django.core.checks import CheckMessage

from drf_hardening.checks import ALL_CHECKS

#: A system check function, called as Django's registry calls it, without arguments.
Check = Callable[..., Iterable[CheckMessage]]

#: Every value of ``DRF_HARDENING["ERROR_FORMAT"]`` (the ``error_format`` fixture's params).
ERROR_FORMATS = ["envelope", "problem", "drf"]


def check_ids(*checks: Check) -> list[str]:
    """The ids of the messages ``checks`` report, sorted; every drf-hardening check by default.

    A message without an id shows as ``"None"``, so it fails any comparison with real ids.
    """
    return sorted(str(message.id) for check in checks or ALL_CHECKS for message in check())


def log_extra(record: logging.LogRecord, name: str) -> Any:
    """An attribute a log call set through ``extra=``, which typeshed's LogRecord cannot know."""
    return record.__dict__[name]


def error_summary(response: Any, error_format: str) -> dict[str, Any]:
    """Code and message of an error response, after checking the members its format requires."""
    body = response.json()
    media_type = response["Content-Type"]
    if error_format == "envelope":
        assert media_type == "application/json"
        assert set(body) == {"error"}
        error = body["error"]
        assert set(error) == {"status", "code", "message", "fields", "request_id"}
        assert error["status"] == response.status_code
        assert error["request_id"] == response["X-Request-ID"]
        return {"code": error["code"], "message": error["message"]}
    if error_format == "problem":
        assert media_type == "application/problem+json"
        assert body["type"] == "about:blank"
        assert body["status"] == response.status_code
        assert isinstance(body["title"], str)
        assert body["title"]
        assert body["instance"] == response.request["PATH_INFO"]
        assert body["request_id"] == response["X-Request-ID"]
        return {"code": body["code"], "message": body["detail"]}
    assert error_format == "drf", error_format
    assert media_type == "application/json"
    return {"code": None, "message": body.get("detail")}


def expect_error(response: Any, error_format: str, status: int, code: str, message: str) -> None:
    """``response`` is the error ``status``/``code``/``message`` in ``error_format``.

    DRF's own format carries no code, so ``code`` is compared in the other two only.
    """
    assert response.status_code == status
    got = error_summary(response, error_format)
    assert got["message"] == message
    if error_format != "drf":
        assert got["code"] == code


#: An ``ADMINS`` value every supported Django reads: Django 6.0 deprecates the
#: ``(name, address)`` pairs that Django 5.2 requires.
ADMINS: list[Any] = (
    ["ops@example.com"] if django.VERSION >= (6, 0) else [("Ops", "ops@example.com")]
)
