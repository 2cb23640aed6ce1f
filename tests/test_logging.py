"""drf_hardening.logging: request ids, redaction, one record per line."""

from __future__ import annotations

import io
import json
import logging
from collections import namedtuple
from typing import Any

import pytest

from drf_hardening.logging import (
    MASK,
    MAX_DEPTH,
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
        ("Proxy-Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: [REDACTED]"),
        (
            'Authorization: Digest username="bob", response="6629fae49393a053"\nnext',
            "Authorization: [REDACTED]\nnext",
        ),
        ('{"Authorization": "Bearer abc"}', '{"Authorization": "[REDACTED]"}'),
        ("GET /cb?token=abc&state=1", "GET /cb?token=[REDACTED]&state=1"),
        ("GET /cb?access_token=abc", "GET /cb?access_token=[REDACTED]"),
        ("jwt=eyJ0eXAi", "jwt=[REDACTED]"),
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


@pytest.mark.parametrize(
    "unit", ["a-", "a=", "x='", "token='", "token-", "Cookie='a", "Token ", "authorization: "]
)
def test_redact_text_is_linear_on_hostile_text(unit: str) -> None:
    # It runs on user text in every record (Django logs each 404's path). No clock
    # here: the old name pattern needed about 40 s for 16 KB of "a-" and grows with
    # the square, so on these 200 KB it would not finish within any CI job's limit.
    text = unit * (200_000 // len(unit))

    redacted = redact_text(text + " password=hunter2")

    assert "hunter2" not in redacted


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

    value = redact_value(loop)
    for _ in range(MAX_DEPTH):
        [value] = value
    assert value == MASK


def test_redact_value_masks_what_is_too_deep_to_walk() -> None:
    deep: dict[str, Any] = {"password": "leak"}
    for _ in range(MAX_DEPTH + 2):
        deep = {"x": deep}

    assert "leak" not in repr(redact_value(deep))


def test_redact_value_handles_tuple_subclasses_sets_and_bytes() -> None:
    Point = namedtuple("Point", "x y")

    assert redact_value(
        {"point": Point(1, "token=t0k3n"), "set": {"password=p"}, "raw": b"Authorization: Token t"}
    ) == {
        "point": (1, "token=[REDACTED]"),
        "set": {"password=[REDACTED]"},
        "raw": "Authorization: [REDACTED]",
    }


def test_escape_text_escapes_every_line_break() -> None:
    text = "a\r\nb\nc\rd\x0be\x0cf\x1cg\x85h\u2028i\u2029j"

    escaped = escape_text(text)

    assert len(escaped.splitlines()) == 1
    assert escaped.startswith("a\\r\\nb\\nc\\rd")


def test_escape_text_escapes_terminal_controls_and_keeps_text() -> None:
    # ESC [1A moves a terminal's cursor up: the next bytes would paint over the record above.
    assert escape_text("ok\x1b[1A\x1b[2Kforged\x00\x7f\x9b") == (
        "ok\\x1b[1A\\x1b[2Kforged\\x00\\x7f\\x9b"
    )
    assert escape_text("tab\tcafé 東京 ✓") == "tab\tcafé 東京 ✓"


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


def test_redacting_filter_escapes_traceback_text_but_keeps_its_lines() -> None:
    try:
        raise ValueError("bad name \x1b[1Aforged\rline")
    except ValueError as exc:
        record = make_record("failed", exc=exc)
    record.stack_info = "Stack (most recent call last):\n  user said \x1b[2J"

    redacted(record)

    assert record.exc_text.startswith("Traceback (most recent call last):\n")
    assert "ValueError: bad name \\x1b[1Aforged\\rline" in record.exc_text
    assert "\x1b" not in record.exc_text + record.stack_info
    assert record.stack_info == "Stack (most recent call last):\n  user said \\x1b[2J"


def test_redacting_filter_masks_stack_info() -> None:
    record = make_record("x")
    record.stack_info = "Stack (most recent call last):\n  token=abc123secret"

    redacted(record)

    assert "abc123secret" not in record.stack_info


def test_redacting_filter_escapes_crlf_in_user_text() -> None:
    record = make_record("login failed for %s", "bob\r\nFAKE LOG LINE")

    redacted(record)

    assert record.getMessage() == "login failed for bob\\r\\nFAKE LOG LINE"


def test_redacting_filter_survives_a_bad_format_string() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.bad_format")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        # Without the filter, logging reports this on stderr and goes on; with it,
        # getMessage() raised into the caller (a 500 for a typo in someone's log call).
        logger.warning("%d items for token=%s", "many", "abc123secret\nFAKE")
    finally:
        logger.removeHandler(handler)

    line = stream.getvalue()
    assert line.count("\n") == 1
    assert line.startswith("%d items for token=[REDACTED] [arguments left out")
    assert "abc123secret" not in line


def test_redacting_filter_subclass_redacts_extras_too() -> None:
    class HideOrderNumbers(RedactingFilter):
        def redact(self, text: str) -> str:
            return super().redact(text).replace("ORD-42", "ORD-**")

    record = make_record("order ORD-42", detail={"note": "see ORD-42"}, note="ORD-42")

    HideOrderNumbers().filter(record)

    assert record.getMessage() == "order ORD-**"
    assert record.detail == {"note": "see ORD-**"}
    assert record.note == "ORD-**"


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


def test_json_formatter_keeps_records_json_cannot_hold() -> None:
    loop: list[Any] = []
    loop.append(loop)
    record = make_record("x", grid={(0, 1): "cell"}, loop=loop, count=3)

    payload = json.loads(JSONFormatter().format(record))

    assert payload["grid"] == "{(0, 1): 'cell'}"
    assert payload["loop"] == "[[...]]"
    assert payload["count"] == 3
    assert payload["message"] == "x"


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
