"""Credentials masked and control characters escaped, in text and in structures.

What ``drf_hardening.logging.RedactingFilter`` and ``security_log.log_event`` apply
to every record; re-exported by ``drf_hardening.logging``. docs/logging.md lists
what counts as a credential, with examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

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
