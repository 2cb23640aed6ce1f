"""Logging filters: request ids on every record, credentials masked, line breaks escaped.

Put the two filters on every handler (``drf_hardening.presets.logging.logging_preset``
does): filters on a handler see the records of every logger that reaches it,
where a filter on a logger misses its children's records.

- ``RequestIDFilter`` adds ``record.request_id`` (``"-"`` outside a request).
- ``RedactingFilter`` masks credentials in the message, its arguments, the
  traceback text and structured extras, and escapes CR/LF and the other control
  characters so that user text cannot start (or, with terminal escape
  sequences, paint over) a log line.
"""

from __future__ import annotations

import logging

from drf_hardening.logging.redaction import (
    MASK,
    escape_text,
    is_sensitive_name,
    redact_text,
    redact_value,
)
from drf_hardening.request_id import get_request_id

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
