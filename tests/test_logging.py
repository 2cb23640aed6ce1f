"""drf_hardening.logging: request ids, redaction, one record per line."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest

from drf_hardening.logging import (
    MASK,
    JSONFormatter,
    RedactingFilter,
    RequestIDFilter,
    TextFormatter,
    escape_text,
    redact_text,
    redact_value,
)
from drf_hardening.request_id import reset_request_id, set_request_id


def make_record(msg: str, *args: Any, exc: BaseException | None = None, **extra: Any) -> Any:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    record = logging.LogRecord("tests", logging.WARNING, __file__, 1, msg, args or None, exc_info)
    for name, value in extra.items():
        setattr(record, name, value)
    return record


def redacted(record: Any) -> Any:
    assert RedactingFilter().filter(record) is True
    return record


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Token abc123secret", "Authorization: [REDACTED]"),
        ("authorization=Bearer abcdefghijk rest", "authorization=[REDACTED] rest"),
        (
            "{'HTTP_AUTHORIZATION': 'Token abc123secret', 'X': 1}",
            "{'HTTP_AUTHORIZATION': '[REDACTED]', 'X': 1}",
        ),
        ("{'HTTP_AUTHORIZATION': b'Token abc123secret'}", "{'HTTP_AUTHORIZATION': '[REDACTED]'}"),
        ('{"password": "hunter2", "user": "bob"}', '{"password": "[REDACTED]", "user": "bob"}'),
        ("POST /login?password=hunter2&next=/", "POST /login?password=[REDACTED]&next=/"),
        ("Cookie: sessionid=abc; theme=dark", "Cookie: [REDACTED]"),
        ("Set-Cookie: sessionid=abc; HttpOnly\nnext", "Set-Cookie: [REDACTED]\nnext"),
        ("X-Api-Key: k3y-value", "X-Api-Key: [REDACTED]"),
        (
            "client_secret=s3cr3t, refresh_token=r3fr3sh",
            "client_secret=[REDACTED], refresh_token=[REDACTED]",
        ),
        ("sent Bearer eyJhbGciOi.J9x.abc1 to upstream", "sent Bearer [REDACTED] to upstream"),
        ("the user's Token expired yesterday", "the user's Token expired yesterday"),
        ("author: Jane, title: x", "author: Jane, title: x"),
    ],
)
def test_redact_text(text: str, expected: str) -> None:
    assert redact_text(text) == expected


def test_redact_value_walks_structures() -> None:
    value = {
        "headers": {"Authorization": "Token abc123secret", "Accept": "application/json"},
        "items": [{"api_key": "k"}, "password=p4ss"],
        "tuple": ("token=t0k3n",),
        "count": 3,
    }

    assert redact_value(value) == {
        "headers": {"Authorization": MASK, "Accept": "application/json"},
        "items": [{"api_key": MASK}, "password=[REDACTED]"],
        "tuple": ("token=[REDACTED]",),
        "count": 3,
    }


def test_redact_value_stops_on_self_reference() -> None:
    loop: list[Any] = []
    loop.append(loop)

    assert redact_value(loop) is not None


def test_escape_text_escapes_every_line_break() -> None:
    text = "a\r\nb\nc\rd\x0be\x0cf\x85g\u2028h\u2029i"

    escaped = escape_text(text)

    assert len(escaped.splitlines()) == 1
    assert escaped.startswith("a\\r\\nb\\nc\\rd")


def test_redacting_filter_masks_message_args_and_extras() -> None:
    record = make_record(
        "headers %s from %s",
        {"HTTP_AUTHORIZATION": "Token abc123secret"},
        "Authorization: Token abc123secret",
        payload={"password": "hunter2", "title": "ok"},
        session_token="abc123secret",
    )

    redacted(record)

    assert "abc123secret" not in record.getMessage()
    assert "hunter2" not in repr(record.payload)
    assert record.payload["title"] == "ok"
    assert record.session_token == MASK
    assert record.args is None


def test_redacting_filter_masks_traceback_text() -> None:
    try:
        raise ValueError("connect failed: password=hunter2")
    except ValueError as exc:
        record = make_record("failed", exc=exc)

    redacted(record)

    assert "hunter2" not in record.exc_text
    assert "password=[REDACTED]" in record.exc_text


def test_redacting_filter_masks_stack_info() -> None:
    record = make_record("x")
    record.stack_info = "Stack (most recent call last):\n  token=abc123secret"

    redacted(record)

    assert "abc123secret" not in record.stack_info


def test_redacting_filter_escapes_crlf_in_user_text() -> None:
    record = make_record("login failed for %s", "bob\r\nFAKE LOG LINE")

    redacted(record)

    assert record.getMessage() == "login failed for bob\\r\\nFAKE LOG LINE"


def test_redacting_filter_runs_once_per_record() -> None:
    record = make_record("user %s", "a\nb")
    redacted(record)
    redacted(record)  # a second handler: no double escaping

    assert record.getMessage() == "user a\\nb"


def test_request_id_filter_uses_context_and_keeps_explicit() -> None:
    token = set_request_id("ctx-request-id")
    try:
        record = make_record("x")
        explicit = make_record("y", request_id="explicit-id")
        RequestIDFilter().filter(record)
        RequestIDFilter().filter(explicit)
    finally:
        reset_request_id(token)

    assert record.request_id == "ctx-request-id"
    assert explicit.request_id == "explicit-id"


def test_text_formatter_indents_continuation_lines() -> None:
    try:
        raise ValueError("bad input\nFAKE LOG LINE")
    except ValueError as exc:
        record = make_record("failed", exc=exc)

    text = TextFormatter("%(levelname)s [%(request_id)s] %(message)s").format(record)

    first, *rest = text.splitlines()
    assert first == "WARNING [-] failed"
    assert rest
    assert all(line.startswith("  ") for line in rest)
    assert "  FAKE LOG LINE" in rest


def test_text_formatter_single_line() -> None:
    assert TextFormatter("%(message)s").format(make_record("hello")) == "hello"


def test_json_formatter_writes_one_json_object_per_line() -> None:
    try:
        raise ValueError("boom\nFAKE LOG LINE")
    except ValueError as exc:
        record = make_record(
            "user said %s", "hi\u2028there", exc=exc, event="x", request=object(), _private=1
        )
    record.stack_info = "stack"
    RequestIDFilter().filter(record)

    line = JSONFormatter().format(record)

    assert "\n" not in line
    assert "\u2028" not in line
    payload = json.loads(line)
    assert payload["message"] == "user said hi\u2028there"
    assert payload["level"] == "WARNING"
    assert payload["logger"] == "tests"
    assert payload["request_id"] == "-"
    assert payload["event"] == "x"
    assert "request" not in payload
    assert "_private" not in payload
    assert "FAKE LOG LINE" in payload["exc_info"]
    assert payload["stack_info"] == "stack"
    assert payload["time"].endswith("+00:00")


def test_json_formatter_writes_unknown_types_as_text() -> None:
    record = make_record("x", when={1, 2})

    assert json.loads(JSONFormatter().format(record))["when"] in ("{1, 2}", "{2, 1}")


def test_python_json_logger_works_with_the_filters() -> None:
    jsonlogger = pytest.importorskip("pythonjsonlogger.json")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(jsonlogger.JsonFormatter())
    handler.addFilter(RequestIDFilter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.pythonjsonlogger")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(
            "auth header %s", "Token abc123secret", extra={"headers": {"Cookie": "sessionid=s1"}}
        )
    finally:
        logger.removeHandler(handler)

    payload = json.loads(stream.getvalue())
    assert "abc123secret" not in stream.getvalue()
    assert "s1" not in json.dumps(payload["headers"])
    assert payload["request_id"] == "-"
