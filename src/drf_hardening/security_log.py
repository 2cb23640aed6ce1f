"""Security events: one structured record per event on the ``drf_hardening.security`` logger.

Every record has the event name as its message and these ``extra`` fields,
which ``JSONFormatter`` (or python-json-logger) writes as keys: ``event``,
``client_ip``, ``user_id``, ``method``, ``path``, ``status``, ``request_id``,
plus the caller's own. Credentials never get in: the record is built from
the request's line and identity only (no headers, cookies or body), and a
caller's field whose name looks like a credential is masked.
docs/logging.md lists every event the library emits.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from drf_hardening.logging import MASK, escape_text, is_sensitive_name
from drf_hardening.request_id import get_request_id

logger = logging.getLogger("drf_hardening.security")

# LogRecord attributes a caller's field must not overwrite (``extra=`` raises on them).
_RESERVED = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime"}
)


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
        "client_ip": _client_ip(django_request),
        "user_id": _user_id(request),
        "method": django_request.method,
        "path": escape_text(django_request.path),
        "status": None,
        "request_id": get_request_id(),
    }
    for name, value in fields.items():
        key = f"{name}_" if name in _RESERVED else name
        if is_sensitive_name(name):
            record[key] = MASK
        else:
            record[key] = escape_text(value) if isinstance(value, str) else value
    status = record["status"]
    level = logging.ERROR if isinstance(status, int) and status >= 500 else logging.WARNING
    logger.log(
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


def _client_ip(request: HttpRequest) -> str | None:
    try:
        # Imported here: client_ip is written alongside this module and imports conf.
        from drf_hardening.client_ip import get_client_ip
    except ModuleNotFoundError:  # pragma: no cover - only until client_ip lands
        remote: str | None = request.META.get("REMOTE_ADDR")
        return remote
    return get_client_ip(request)


def _user_id(request: Any) -> Any:
    """The authenticated user's primary key, or ``None``; never triggers authentication.

    On DRF's ``Request``, ``.user`` runs the authenticators again when they have
    not run yet (for example when the error happened before them): read the
    cached ``_user`` only.
    """
    if hasattr(request, "_request"):
        user = getattr(request, "_user", None)
    else:
        user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk
