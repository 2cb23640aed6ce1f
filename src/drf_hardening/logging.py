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
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from drf_hardening.request_id import get_request_id

MASK = "[REDACTED]"

#: Names whose values are credentials: headers, META keys, form and JSON keys,
#: query parameters. Matched anywhere in a name, case-insensitively, with
#: ``-`` and ``_`` alike (``HTTP_AUTHORIZATION``, ``X-Api-Key``, ``csrftoken``).
SENSITIVE_NAME = re.compile(
    r"pass(?:word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key"
    r"|authori[sz]ation|cookie|session[-_]?id|csrf|credential|signature|jwt",
    re.IGNORECASE,
)

_SCHEMES = r"(?:Basic|Bearer|Token|Digest|Api-Key|JWT)"
# A whole name (``X-Api-Key``, ``user.password``) that contains a sensitive
# word. Written to run in linear time on any text, since it runs on user text in
# every record: it starts only where a name starts, looks for the word inside
# that name, then takes the name whole, an atomic group spelt as a lookahead
# plus a backreference (``(?>...)`` needs Python 3.11). The obvious
# ``[\w.-]*(?:word)[\w.-]*`` takes 38 s on 16 KB of ``a-a-a-``.
_NAME = (
    rf"(?<![\w.-])(?=[\w.-]*?(?:{SENSITIVE_NAME.pattern}))"
    r"(?=(?P<name>[\w.-]+))(?P=name)"
)
# Values with several parts: ``Cookie: a=1; b=2``, ``Set-Cookie``, and the
# ``Authorization``/``Proxy-Authorization`` header line, whose Digest form is
# ``Digest username="bob", response="<hash of the password>"``. Mask to the
# end of the quoted string or of the line.
_WHOLE_VALUE = re.compile(
    r"""(?P<key>\b(?:(?:set-)?cookie["']?\s*[:=]|authori[sz]ation["']?\s*:)\s*)"""
    r"""(?:b?(?P<q>["'])(?:(?!(?P=q)).)*(?P=q)|[^\r\n]*)""",
    re.IGNORECASE,
)
# ``name: value``, ``name=value``, ``"name": "value"``, ``'name': 'value'``. An
# unquoted value takes its scheme word (``Token``, ``Bearer``) with it. A quote
# that never closes masks to the end of the line (and keeps the scan linear).
_PAIR = re.compile(
    rf"""(?P<key>{_NAME}["']?\s*[:=]\s*)"""
    rf"""(?:b?(?P<q>["'])(?:(?!(?P=q)).)*(?P=q)?|(?!\[REDACTED\])(?:{_SCHEMES}\s+)?[^\s,;&"'}}\])]+)""",
    re.IGNORECASE,
)
# A bare credential such as the value of ``request.headers["Authorization"]``.
# Real tokens contain a digit; requiring one spares prose like "Token expired".
_SCHEME_CREDENTIAL = re.compile(rf"\b(?P<key>{_SCHEMES}\s+)(?=[\w.~+/=-]*\d)[\w.~+/=-]{{8,}}")

#: Attributes every ``LogRecord`` has; the others are the ``extra=`` of the call.
RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


def is_sensitive_name(name: object) -> bool:
    """Whether a header, key or field called ``name`` holds a credential."""
    return isinstance(name, str) and SENSITIVE_NAME.search(name) is not None


def redact_text(text: str) -> str:
    """Mask credential values in free text (``Authorization: Token abc`` -> ``...: [REDACTED]``)."""
    text = _WHOLE_VALUE.sub(lambda m: _masked(m, m.group("q")), text)
    text = _PAIR.sub(lambda m: _masked(m, m.group("q")), text)
    return _SCHEME_CREDENTIAL.sub(lambda m: m.group("key") + MASK, text)


def _masked(match: re.Match[str], quote: str | None) -> str:
    if quote:
        return f"{match.group('key')}{quote}{MASK}{quote}"
    return f"{match.group('key')}{MASK}"


def escape_text(text: str) -> str:
    """Escape the control characters (all but tab) and the Unicode line separators.

    User text is logged as data: a username of ``"x\\r\\nFAKE LOG LINE"`` shows
    as ``x\\r\\nFAKE LOG LINE`` on one line instead of starting a record of its
    own, and ``ESC [1A`` (cursor up) shows as ``\\x1b[1A`` instead of letting a
    terminal overwrite the record above (the attack Django fixed in its request
    log, CVE-2025-48432). Printable non-ASCII text is kept as it is.
    """
    return text.translate(_CONTROL_CHARACTERS)


_CONTROL_CHARACTERS = {
    code: chr(code).encode("unicode_escape").decode("ascii")
    for code in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
    if code != 0x09
}
_SEQUENCES = (list, tuple, set, frozenset)
#: How deep ``redact_value`` walks; anything deeper is masked whole.
MAX_DEPTH = 8


def redact_value(value: Any, depth: int = 0, *, redact: Callable[[str], str] = redact_text) -> Any:
    """Return ``value`` with credentials masked in it, recursing into mappings and sequences.

    Strings go through ``redact`` and ``escape_text``; bytes are decoded first.
    A container more than ``MAX_DEPTH`` levels down (or a structure that contains
    itself) is replaced by the mask: what was not walked cannot be known safe.
    """
    if isinstance(value, bytes):
        value = value.decode("utf-8", "backslashreplace")
    if isinstance(value, str):
        return escape_text(redact(value))
    if not isinstance(value, (Mapping, *_SEQUENCES)):
        return value
    if depth >= MAX_DEPTH:
        return MASK
    if isinstance(value, Mapping):
        return {
            key: MASK if is_sensitive_name(key) else redact_value(item, depth + 1, redact=redact)
            for key, item in value.items()
        }
    items = [redact_value(item, depth + 1, redact=redact) for item in value]
    # The base type, not type(value): a namedtuple's constructor takes fields, not one iterable.
    base = next(kind for kind in _SEQUENCES if isinstance(value, kind))
    return base(items)


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
                record.exc_text = self.redact(record.exc_text)
            if record.stack_info:
                record.stack_info = self.redact(record.stack_info)
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
        # json.dumps escapes every control character: a record is always one line.
        return json.dumps(payload, default=str, ensure_ascii=False).translate(_JSON_LINE_BREAKS)


# json.dumps escapes C0 controls but leaves these, which some log readers split on.
_JSON_LINE_BREAKS = {ord(char): f"\\u{ord(char):04x}" for char in "\x85\u2028\u2029"}
