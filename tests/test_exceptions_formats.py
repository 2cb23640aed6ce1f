"""drf_hardening.error_formats as units: field-error normalising and JSON pointers."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import exceptions

from drf_hardening.error_formats import (
    ErrorInfo,
    envelope,
    media_type,
    normalise_field_errors,
    problem,
    render,
)


def info(exc: exceptions.APIException) -> ErrorInfo:
    return ErrorInfo.from_exception(exc, request_id="rid-12345678", path="/api/x/")


def test_bare_string_values_become_entries() -> None:
    # ValidationError({"field": "message"}) keeps a bare string, not a list.
    exc = exceptions.ValidationError({"when": "Must be in the future."}, code="future")

    assert info(exc).fields == {"when": [{"code": "future", "message": "Must be in the future."}]}


def test_plain_strings_get_the_invalid_code() -> None:
    assert normalise_field_errors(["plain text"]) == {
        "non_field_errors": [{"code": "invalid", "message": "plain text"}]
    }


def test_problem_pointer_escapes_slash_and_tilde() -> None:
    exc = exceptions.ValidationError({"a/b": {"c~d": ["bad"]}})

    [error] = problem(info(exc))["errors"]

    assert error["pointer"] == "#/a~1b/c~0d"


def test_problem_nested_non_field_errors_point_at_their_object() -> None:
    exc = exceptions.ValidationError({"address": {"non_field_errors": ["Unknown city."]}})

    [error] = problem(info(exc))["errors"]

    assert error["pointer"] == "#/address"


def test_problem_members_for_a_plain_error() -> None:
    body = problem(info(exceptions.NotFound()))

    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "Not found.",
        "instance": "/api/x/",
        "code": "not_found",
        "request_id": "rid-12345678",
    }


def test_envelope_keys_are_stable() -> None:
    assert envelope(info(exceptions.NotFound())) == {
        "error": {
            "status": 404,
            "code": "not_found",
            "message": "Not found.",
            "fields": {},
            "request_id": "rid-12345678",
        }
    }


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("problem", "application/problem+json"),
        ("envelope", "application/json"),
        ("drf", "application/json"),
    ],
)
def test_media_type(name: str, expected: str) -> None:
    assert media_type(name) == expected


def test_render_unknown_format_falls_back_to_envelope() -> None:
    body: Any = render(info(exceptions.NotFound()), "xml")

    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("status", "title"), [(404, "Not Found"), (460, "Client Error"), (599, "Server Error")]
)
def test_problem_title_of_every_status(status: int, title: str) -> None:
    exc = exceptions.APIException()
    exc.status_code = status

    assert problem(info(exc))["title"] == title
