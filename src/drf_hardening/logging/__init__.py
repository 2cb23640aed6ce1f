"""Logging: filters, formatters, redaction and the security events.

The names users write in ``LOGGING`` (``drf_hardening.logging.RequestIDFilter``...)
and call from their code (``redact_text``, ``log_event``) are importable from here;
each lives in one module of this package:

- ``filters``: ``RequestIDFilter`` and ``RedactingFilter``, for every handler, and
  ``DisallowedHostFilter``, for the ``django.security.DisallowedHost`` logger;
- ``formatters``: ``TextFormatter`` and ``JSONFormatter``, one record per line;
- ``redaction``: what counts as a credential, and the masking and escaping;
- ``events``: the ``drf_hardening.security`` logger and ``log_event``.
"""

from drf_hardening.logging.events import log_event, security_logger
from drf_hardening.logging.filters import (
    RECORD_ATTRIBUTES,
    DisallowedHostFilter,
    RedactingFilter,
    RequestIDFilter,
)
from drf_hardening.logging.formatters import JSONFormatter, TextFormatter
from drf_hardening.logging.redaction import (
    MASK,
    MAX_DEPTH,
    SENSITIVE_NAME,
    escape_text,
    is_sensitive_name,
    redact_text,
    redact_value,
)

__all__ = [
    "MASK",
    "MAX_DEPTH",
    "RECORD_ATTRIBUTES",
    "SENSITIVE_NAME",
    "DisallowedHostFilter",
    "JSONFormatter",
    "RedactingFilter",
    "RequestIDFilter",
    "TextFormatter",
    "escape_text",
    "is_sensitive_name",
    "log_event",
    "redact_text",
    "redact_value",
    "security_logger",
]
