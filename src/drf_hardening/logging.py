"""Logging filters and formatters: request ids, redaction, one record per line.

Put the two filters on every handler (``drf_hardening.logconfig.logging_preset``
does): filters on a handler see the records of every logger that reaches it,
where a filter on a logger misses its children's records.

- ``RequestIDFilter`` adds ``record.request_id`` (``"-"`` outside a request).
- ``RedactingFilter`` masks credentials in the message, its arguments, the
  traceback text and structured extras, and escapes CR/LF and the other control
  characters so that user text cannot start (or, with terminal escape
  sequences, paint over) a log line.
- ``TextFormatter`` and ``JSONFormatter`` keep one record per line.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from typing import Any

from drf_hardening.redaction import (
    MASK,
    MAX_DEPTH,
    SENSITIVE_NAME,
    escape_text,
    is_sensitive_name,
    redact_text,
    redact_value,
)
from drf_hardening.request_id import get_request_id

# The redaction functions are re-exported: they are documented under this module.
__all__ = [
    "MASK",
    "MAX_DEPTH",
    "RECORD_ATTRIBUTES",
    "SENSITIVE_NAME",
    "JSONFormatter",
    "RedactingFilter",
    "RequestIDFilter",
    "TextFormatter",
    "escape_text",
    "is_sensitive_name",
    "redact_text",
    "redact_value",
]


#: Attributes every ``LogRecord`` has; the others are the ``extra=`` of the call.
RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


class RequestIDFilter(logging.Filter):
    """Add ``request_id`` to every record: the current request's id, or ``"-"``.

    A record that already has one (passed in ``extra=``) keeps it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = get_request_id() or "-"
        return True


class RedactingFilter(logging.Filter):
    """Mask credentials and escape line breaks in a record before any handler writes it.

    The message is merged with its arguments once (``record.getMessage()``) and
    stored back without arguments, so a value masked here cannot come back
    through ``%s`` formatting in the next handler. The traceback text is
    redacted too; its lines are kept (``TextFormatter`` indents them).
    Subclass and override ``redact`` to change what is masked, in the message,
    the traceback and string extras alike.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_drf_hardening_redacted", False):
            record.msg = escape_text(self.redact(self._message(record)))
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = self._multiline(record.exc_text)
            if record.stack_info:
                record.stack_info = self._multiline(record.stack_info)
            for name in set(vars(record)) - RECORD_ATTRIBUTES:
                if name == "request_id" or name.startswith("_"):
                    continue
                value = getattr(record, name)
                safe = MASK if is_sensitive_name(name) else redact_value(value, redact=self.redact)
                setattr(record, name, safe)
            record._drf_hardening_redacted = True
        return True

    def redact(self, text: str) -> str:
        """Mask credentials in ``text``; ``redact_text`` unless overridden."""
        return redact_text(text)

    def _multiline(self, text: str) -> str:
        # A traceback keeps its lines (TextFormatter indents them); an exception
        # message inside it is user text like any other.
        return "\n".join(escape_text(line) for line in self.redact(text).split("\n"))

    @staticmethod
    def _message(record: logging.LogRecord) -> str:
        try:
            return record.getMessage()
        except Exception:
            # A filter runs before the handler's own error handling: an exception
            # here would leave logger.info() in the caller (a 500 for a bad "%d" in
            # someone's log call). The arguments are left out: away from the
            # format string that named them, a secret among them cannot be told.
            return f"{record.msg!s} [arguments left out: they do not fit the format]"


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
