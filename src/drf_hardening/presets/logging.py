"""The ``LOGGING`` preset: plain data, built without Django.

``harden()`` merges this dictionary into the project's ``LOGGING`` (the
project's own handlers, loggers and keys win), so nothing here may import
``django.conf.settings``: settings.py runs before Django is configured. Every
class is named by its dotted path and imported by ``logging.config.dictConfig``.

Every handler carries the request-id and redaction filters, so whatever
reaches a console, a file or an e-mail has ``request_id`` set, credentials
masked and CR/LF escaped. All names start with ``drf_hardening_`` so that they
cannot collide with the project's.
"""

from __future__ import annotations

from typing import Any

from drf_hardening import names

#: Size at which the log file rotates, and how many old files are kept: at most
#: 6 x 10 MiB on disk, where Django tutorials' plain FileHandler grows forever.
LOG_FILE_MAX_BYTES = 10 * 1024 * 1024
LOG_FILE_BACKUP_COUNT = 5

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

REQUEST_ID_FILTER = "drf_hardening_request_id"
REDACT_FILTER = "drf_hardening_redact"
DISALLOWED_HOST_FILTER = "drf_hardening_disallowed_host"
CONSOLE_HANDLER = "drf_hardening_console"
FILE_HANDLER = "drf_hardening_file"
MAIL_ADMINS_HANDLER = "drf_hardening_mail_admins"

_LEVELS = {
    # profile: (drf_hardening, django.request and django.security)
    "production": ("INFO", "WARNING"),
    "development": ("DEBUG", "INFO"),
}


def logging_preset(
    *, profile: str, log_file: str | None = None, json_format: bool = False
) -> dict[str, Any]:
    """Return a ``logging.config.dictConfig`` dictionary for ``profile``.

    - ``profile``: ``"production"`` or ``"development"`` (levels differ; see docs/logging.md).
    - ``log_file``: also write to this file, rotated at ``LOG_FILE_MAX_BYTES`` with
      ``LOG_FILE_BACKUP_COUNT`` old files kept.
    - ``json_format``: one JSON object per line instead of text.

    The loggers ``django.request`` and ``django.security`` do not propagate, so
    that Django's default console handler (which has no redaction) does not
    print them a second time; ``ADMINS`` e-mail keeps working for server errors
    (``django.request``) through an ``AdminEmailHandler`` of the preset's own,
    and ``django.security`` (requests refused as hostile) is never mailed.
    """
    if profile not in _LEVELS:
        raise ValueError(
            f"logging_preset() profile must be one of {', '.join(_LEVELS)}; got {profile!r}."
        )
    library_level, django_level = _LEVELS[profile]
    filters = [REQUEST_ID_FILTER, REDACT_FILTER]
    formatter = "drf_hardening_json" if json_format else "drf_hardening_text"

    handlers: dict[str, dict[str, Any]] = {
        CONSOLE_HANDLER: {
            "class": "logging.StreamHandler",
            "formatter": formatter,
            "filters": filters,
        },
        MAIL_ADMINS_HANDLER: {
            "class": names.ADMIN_EMAIL_HANDLER,
            "level": "ERROR",
            "filters": ["drf_hardening_require_debug_false", *filters],
        },
    }
    if log_file:
        handlers[FILE_HANDLER] = {
            "class": "logging.handlers.RotatingFileHandler",
            "filename": log_file,
            "maxBytes": LOG_FILE_MAX_BYTES,
            "backupCount": LOG_FILE_BACKUP_COUNT,
            "encoding": "utf-8",
            # Opened at the first record, so that importing settings (collectstatic,
            # a build step) does not need a writable log directory.
            "delay": True,
            "formatter": formatter,
            "filters": filters,
        }
    outputs = [CONSOLE_HANDLER, *([FILE_HANDLER] if log_file else [])]

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            REQUEST_ID_FILTER: {"()": names.REQUEST_ID_FILTER},
            REDACT_FILTER: {"()": names.REDACTING_FILTER},
            DISALLOWED_HOST_FILTER: {"()": names.DISALLOWED_HOST_FILTER},
            "drf_hardening_require_debug_false": {"()": names.REQUIRE_DEBUG_FALSE},
        },
        "formatters": {
            "drf_hardening_text": {
                "()": names.TEXT_FORMATTER,
                "format": TEXT_FORMAT,
            },
            "drf_hardening_json": {"()": names.JSON_FORMATTER},
        },
        "handlers": handlers,
        "loggers": {
            "django.request": {
                "handlers": [*outputs, MAIL_ADMINS_HANDLER],
                "level": django_level,
                "propagate": False,
            },
            # No e-mail: every record here is a request Django refused as hostile
            # (SuspiciousOperation: a foreign Host, too many fields or files, a bad
            # session, CSRF), answered 400/403 and sent at a rate the sender chooses.
            # Mailing each would hand that rate to ADMINS' inbox, and Django's mail
            # handler re-reads the request, which raises again for TooManyFieldsSent.
            "django.security": {
                "handlers": outputs,
                "level": django_level,
                "propagate": False,
            },
            # Every scanner that sends a foreign Host logs an ERROR and a traceback here,
            # at a rate it chooses: one WARNING line each (DisallowedHostFilter), and no
            # e-mail to ADMINS.
            "django.security.DisallowedHost": {
                "handlers": outputs,
                "level": django_level,
                "filters": [DISALLOWED_HOST_FILTER],
                "propagate": False,
            },
            "drf_hardening": {
                "handlers": outputs,
                "level": library_level,
                "propagate": False,
            },
            # Its own entry (rather than inheriting drf_hardening's level) so a
            # project can turn library debug logs down without losing security events.
            "drf_hardening.security": {
                "handlers": outputs,
                "level": "INFO",
                "propagate": False,
            },
        },
    }
