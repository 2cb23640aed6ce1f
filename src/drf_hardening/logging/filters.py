"""Logging filters: request ids on every record, credentials masked, line breaks escaped.

Put the first two filters on every handler (``drf_hardening.presets.logging.logging_preset``
does): filters on a handler see the records of every logger that reaches it,
where a filter on a logger misses its children's records.

- ``RequestIDFilter`` adds ``record.request_id`` (``"-"`` outside a request).
- ``RedactingFilter`` masks credentials in the message, its arguments, the
  traceback text and structured extras, and escapes CR/LF and the other control
  characters so that user text cannot start (or, with terminal escape
  sequences, paint over) a log line.
- ``DisallowedHostFilter`` goes on one logger, ``django.security.DisallowedHost``:
  it turns Django's ERROR and traceback for a foreign ``Host`` into one WARNING line.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest

from drf_hardening.client_ip import get_client_ip
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


#: The longest ``Host`` value a log line shows; the rest is cut (a header can be kilobytes).
MAX_HOST_LENGTH = 200


class DisallowedHostFilter(logging.Filter):
    """One WARNING line for a request whose ``Host`` is not in ``ALLOWED_HOSTS``.

    Django logs each such request on ``django.security.DisallowedHost`` at ERROR
    with the traceback of ``request.get_host()``: about 14 lines a request, at a
    rate the sender chooses, for what is a scanner or a misrouted client, not a
    fault of the server. Put on that logger (the logging preset does), this
    filter rewrites the record to WARNING, drops the traceback and writes
    ``Host 'evil.example' is not in ALLOWED_HOSTS (client 203.0.113.7)``: the
    host as ``repr()`` escapes it, cut at ``MAX_HOST_LENGTH``, and the client
    address from ``drf_hardening.client_ip.get_client_ip``. Both are also extras
    (``host``, ``client_ip``) for JSON logs. The request id comes from
    ``RequestIDFilter`` on the handler, as for every record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.WARNING
        record.levelname = logging.getLevelName(logging.WARNING)
        record.exc_info = None
        record.exc_text = None
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            host = _raw_host(request)
            if len(host) > MAX_HOST_LENGTH:
                host = host[:MAX_HOST_LENGTH] + "..."
            client_ip = get_client_ip(request)
            record.host = host
            record.client_ip = client_ip
            record.msg = f"Host {host!r} is not in ALLOWED_HOSTS (client {client_ip})"
            record.args = None
        return True


def _raw_host(request: HttpRequest) -> str:
    # What get_host() refused, read the way it reads it (HttpRequest._get_raw_host is
    # private): X-Forwarded-Host only when USE_X_FORWARDED_HOST trusts it.
    meta = request.META
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in meta:
        return str(meta["HTTP_X_FORWARDED_HOST"])
    return str(meta.get("HTTP_HOST") or meta.get("SERVER_NAME") or "")
