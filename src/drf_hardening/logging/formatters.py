"""Logging formatters that keep one record per line, as text or as JSON."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from drf_hardening.logging.filters import RECORD_ATTRIBUTES


class TextFormatter(logging.Formatter):
    """A ``logging.Formatter`` whose records never span lines that start at column 0.

    Continuation lines (tracebacks, stack info) are indented by two spaces, so a
    line at column 0 always starts a record, even if an exception message
    carries a line break. ``%(request_id)s`` is ``"-"`` when no filter set it.
    """

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        text = super().format(record)
        first, _, rest = text.partition("\n")
        if not rest:
            return first
        return first + "\n" + "\n".join("  " + line for line in rest.splitlines())


class JSONFormatter(logging.Formatter):
    """One JSON object per line with the standard library's ``json``.

    Keys: ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
    ``request_id``, then every ``extra=`` field, then ``exc_info``/``stack_info``
    when present. Values JSON cannot hold are written with ``str()``; the
    request object Django attaches to its records is left out. python-json-logger
    works with the same filters if you prefer it (see docs/logging.md).
    """

    #: Extras not written: Django's request object (its repr says nothing useful).
    skipped_extras = frozenset({"request"})

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or "-",
        }
        for name in sorted(set(vars(record)) - RECORD_ATTRIBUTES):
            if name not in payload and name not in self.skipped_extras and name[:1] != "_":
                payload[name] = getattr(record, name)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            payload["exc_info"] = record.exc_text
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        try:
            text = json.dumps(payload, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            # An extra JSON cannot hold even through str() (a dict with tuple keys, a
            # list that contains itself): write such values as text, not lose the record.
            text = json.dumps({k: _scalar(v) for k, v in payload.items()}, ensure_ascii=False)
        # json.dumps escapes every control character: a record is always one line.
        return text.translate(_JSON_LINE_BREAKS)


def _scalar(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else str(value)


# json.dumps escapes C0 controls but leaves these, which some log readers split on.
_JSON_LINE_BREAKS = {ord(char): f"\\u{ord(char):04x}" for char in "\x85\u2028\u2029"}
