"""Security events: one structured record per event on the ``drf_hardening.security`` logger.

Every record has the event name as its message and these ``extra`` fields,
which ``JSONFormatter`` (or python-json-logger) writes as keys: ``event``,
``client_ip``, ``user_id``, ``method``, ``path``, ``status``, ``request_id``,
plus the caller's own. Credentials never get in: the record is built from
the request's line and identity only (no headers, cookies or body), and the
caller's fields are redacted like log extras (``redact_value``: a name that
looks like a credential is masked, nested values too, line breaks escaped).
docs/logging.md lists every event the library emits.
"""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

from django.http import HttpRequest
from django.utils.functional import LazyObject, empty
from rest_framework.exceptions import APIException, ValidationError

from drf_hardening.client_ip import get_client_ip
from drf_hardening.logging.filters import RECORD_ATTRIBUTES
from drf_hardening.logging.redaction import MASK, escape_text, is_sensitive_name, redact_value
from drf_hardening.request_id import get_request_id
from drf_hardening.text.policy import CODES as TEXT_POLICY_CODES

#: The one ``drf_hardening.security`` logger; every security event and throttle-store
#: outage is written to it.
security_logger = logging.getLogger("drf_hardening.security")

#: ``StrictCharField`` codes that mean the characters themselves were refused
#: (control, bidi, invisible, look-alike...): an ``input_rejected`` event. The
#: length and blank codes are everyday mistakes, and ``blank`` is DRF's too.
INPUT_REJECTED_CODES = frozenset(TEXT_POLICY_CODES) - {
    "not_a_string",
    "too_long",
    "too_many_bytes",
    "too_short",
    "blank",
}


def log_safely(logger: logging.Logger, level: int, msg: str, *args: Any, **kwargs: Any) -> None:
    """``logger.log(...)``, where a handler that raises cannot fail the request.

    Handlers are meant to catch their own errors (``Handler.handleError``), but
    some do not: Django's ``AdminEmailHandler`` builds its report by re-reading
    the request, and a query string over ``DATA_UPLOAD_MAX_NUMBER_FIELDS``
    raises again there, inside the call that logged the 400 (issue 17). The
    answer must not become a 500 because a log line could not be written; the
    traceback goes to stderr, as ``handleError`` does (unless
    ``logging.raiseExceptions`` is off).
    """
    try:
        logger.log(level, msg, *args, **kwargs)
    except Exception:
        report_logging_error(logger.name)


def report_logging_error(logger_name: str) -> None:
    """Print the exception being handled, raised by a handler of ``logger_name``, to stderr."""
    if logging.raiseExceptions:
        sys.stderr.write(f"--- Logging error in {logger_name} (the request was answered) ---\n")
        traceback.print_exc(file=sys.stderr)


def log_event(event: str, request: Any, **fields: Any) -> None:
    """Log the security event ``event`` about ``request`` (a Django or DRF request).

    ``fields`` are added to the record (``status=429``, ``scope="login"``...);
    ``request_id=`` overrides the current request id. The level is ERROR for a
    ``status`` of 500 or more and WARNING otherwise.

    An event is logged once per request: a throttle that logged ``throttled``
    with its scope is not followed by a second ``throttled`` from the error
    handler.
    """
    django_request: HttpRequest = getattr(request, "_request", request)
    logged: set[str] = django_request.__dict__.setdefault("_drf_hardening_security_events", set())
    if event in logged:
        return
    logged.add(event)
    record: dict[str, Any] = {
        "event": event,
        "client_ip": get_client_ip(django_request),
        "user_id": _user_id(request),
        "method": django_request.method,
        "path": escape_text(django_request.path),
        "status": None,
        "request_id": get_request_id(),
    }
    for name, value in fields.items():
        # ``extra=`` raises on a LogRecord attribute: keep the field under another name.
        key = f"{name}_" if name in RECORD_ATTRIBUTES else name
        record[key] = MASK if is_sensitive_name(name) else redact_value(value)
    status = record["status"]
    level = logging.ERROR if isinstance(status, int) and status >= 500 else logging.WARNING
    log_safely(
        security_logger,
        level,
        "%s status=%s method=%s path=%s client_ip=%s user_id=%s",
        event,
        status,
        record["method"],
        record["path"],
        record["client_ip"],
        record["user_id"],
        extra=record,
    )


def _user_id(request: Any) -> Any:
    """The authenticated user's primary key, or ``None``; never triggers authentication.

    Only a user that is already loaded is read. On DRF's ``Request``, ``.user``
    runs the authenticators when they have not run yet (the error happened
    before them); on Django's request, ``.user`` is a lazy object that loads the
    session and the user from the database, which may be what just failed (a
    500 in ``handler500``). Either would be slow at best, and raise at worst.
    """
    if hasattr(request, "_request"):
        user = getattr(request, "_user", None)
    else:
        user = vars(request).get("user")
        if isinstance(user, LazyObject):
            loaded = user._wrapped
            user = None if loaded is empty else loaded
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


def rejected_input_codes(exc: APIException) -> list[str]:
    """The ``INPUT_REJECTED_CODES`` in a ``ValidationError``, sorted; ``[]`` for other errors."""
    if not isinstance(exc, ValidationError):
        return []
    return sorted(_codes(exc.get_codes()) & INPUT_REJECTED_CODES)


def _codes(codes: Any) -> set[str]:
    """Every code in ``APIException.get_codes()``, however nested."""
    if isinstance(codes, dict):
        codes = list(codes.values())
    if isinstance(codes, list):
        return set().union(*map(_codes, codes))
    return {str(codes)}
