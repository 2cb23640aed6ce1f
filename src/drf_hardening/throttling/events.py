"""What the throttles tell the ``drf_hardening.security`` logger.

A store outage is logged once when it starts and once when it ends (a Redis
that is down would otherwise write one line per request, burying the logs at
the moment someone reads them); each throttled request is one event.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.http import HttpRequest

from drf_hardening.logging.events import log_event
from drf_hardening.logging.events import security_logger as logger

#: What is failing now (stores, malformed rates): empty in the common case.
failing: set[str] = set()
_failing = failing  # the name tests clear
_failing_lock = threading.Lock()


def report_failure(what: str, message: str, exc: BaseException | None = None) -> None:
    """Log ``message`` unless ``what`` is already failing (one warning per episode)."""
    with _failing_lock:
        if what in _failing:
            return
        _failing.add(what)
    logger.warning(
        message,
        exc_info=exc,
        extra={"event": "throttle_store_unavailable", "throttle_store": what},
    )


def report_success(what: str) -> None:
    """End the failure episode of ``what``, if there is one."""
    if what not in _failing:  # the common case, without taking the lock
        return
    with _failing_lock:
        if what not in _failing:  # another thread ended it first
            return
        _failing.discard(what)
    logger.warning(
        "Throttle store %s answers again; requests are counted again.",
        what,
        extra={"event": "throttle_store_recovered", "throttle_store": what},
    )


def http_request(request: Any) -> HttpRequest:
    """The Django request under a DRF ``Request`` (or the request itself)."""
    inner = getattr(request, "_request", request)
    return inner if isinstance(inner, HttpRequest) else request


def log_throttled(request: Any, scope: str) -> None:
    """The ``throttled`` event, with the scope of the first throttle that refused.

    ``log_event`` adds the client IP, user id, path and request id, and logs an
    event once per request, however many throttles (and the error handler) report it.
    """
    if logger.isEnabledFor(logging.WARNING):  # else nobody listens: build nothing
        log_event("throttled", request, scope=scope, status=429)
