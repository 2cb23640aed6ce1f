"""Checks of error responses, request ids and logging.

Ids: ``drf_hardening.E060``-``E079`` (wrong) and ``W060``-``W079`` (risky). The
values of ``ERROR_FORMAT`` (E060), ``REQUEST_ID_HEADER`` (E061) and
``API_PATH_PREFIXES`` (E062) are checked with every other key, in ``checks.conf``.
The wiring checks (W062-W064) fire only for projects that use the library's
exception handler function; a project customises it through
``DRF_HARDENING["EXCEPTION_HANDLER_CLASS"]`` (E063), which keeps them on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.urls import get_resolver
from django.utils.module_loading import import_string

from drf_hardening import names
from drf_hardening.checks._common import Messages, rest_framework_settings
from drf_hardening.conf import conf
from drf_hardening.exceptions import ExceptionHandler
from drf_hardening.logging import RedactingFilter

REQUEST_ID_MIDDLEWARE = names.REQUEST_ID_MIDDLEWARE
REDACTING_FILTER = names.REDACTING_FILTER
#: Loggers whose records carry request data (paths, headers in extras, tracebacks).
REQUEST_LOGGERS = ("django.request", "django.security", "drf_hardening.security")


def _uses_our_handler() -> bool:
    return rest_framework_settings().get("EXCEPTION_HANDLER") == names.EXCEPTION_HANDLER


def check_exception_handler_class(**kwargs: Any) -> Messages:
    path = conf.EXCEPTION_HANDLER_CLASS  # a str: checks/conf.py reports any other type
    try:
        cls = import_string(path)
    except ImportError as exc:
        problem = f"cannot be imported ({exc})"
    else:
        if isinstance(cls, type) and issubclass(cls, ExceptionHandler):
            return []
        problem = f"is not a subclass of {names.EXCEPTION_HANDLER_CLASS}"
    return [
        Error(
            f"DRF_HARDENING['EXCEPTION_HANDLER_CLASS'] is {path!r}, which {problem}. Until it "
            "is fixed, the library's own ExceptionHandler answers every error.",
            hint=f"Give the dotted path of a subclass of {names.EXCEPTION_HANDLER_CLASS} "
            "(for example 'myproject.errors.ExceptionHandler'), or remove the key. "
            "See docs/errors.md.",
            id="drf_hardening.E063",
        )
    ]


def _logging_handlers() -> Iterator[tuple[str, Mapping[str, Any]]]:
    logging_config: Mapping[str, Any] = getattr(settings, "LOGGING", None) or {}
    handlers: Mapping[str, Any] = logging_config.get("handlers") or {}
    for name, handler in handlers.items():
        if isinstance(handler, Mapping):
            yield name, handler


def check_unbounded_log_file(**kwargs: Any) -> Messages:
    unbounded = sorted(
        name
        for name, handler in _logging_handlers()
        if handler.get("class") in ("logging.FileHandler", "logging.handlers.FileHandler")
    )
    if not unbounded:
        return []
    return [
        Warning(
            f"LOGGING['handlers'] {', '.join(map(repr, unbounded))} use logging.FileHandler, "
            "which grows without bound until the disk is full.",
            hint="Use logging.handlers.RotatingFileHandler with maxBytes and backupCount "
            "(drf_hardening.presets.logging.logging_preset(log_file=...) does), or "
            "WatchedFileHandler if logrotate rotates the file.",
            id="drf_hardening.W060",
        )
    ]


def _redacts(logging_config: Mapping[str, Any], filter_names: Sequence[str]) -> bool:
    """Whether one of the named filters is ``RedactingFilter`` or a subclass of it."""
    filters: Mapping[str, Any] = logging_config.get("filters") or {}
    for name in filter_names:
        definition = filters.get(name)
        factory = definition.get("()") if isinstance(definition, Mapping) else None
        try:
            # dictConfig takes a dotted path or the class itself.
            cls = import_string(factory) if isinstance(factory, str) else factory
        except ImportError:  # dictConfig reports it when the logging is configured
            continue
        if isinstance(cls, type) and issubclass(cls, RedactingFilter):
            return True
    return False


def check_unredacted_handlers(**kwargs: Any) -> Messages:
    logging_config: Mapping[str, Any] = getattr(settings, "LOGGING", None) or {}
    loggers: Mapping[str, Any] = logging_config.get("loggers") or {}
    handlers = dict(_logging_handlers())
    unredacted = set()
    for logger_name in REQUEST_LOGGERS:
        logger = loggers.get(logger_name)
        if not isinstance(logger, Mapping):
            continue
        for handler_name in logger.get("handlers") or ():
            handler = handlers.get(handler_name, {})
            if not _redacts(logging_config, handler.get("filters") or ()):
                unredacted.add(handler_name)
    if not unredacted:
        return []
    return [
        Warning(
            f"LOGGING['handlers'] {', '.join(map(repr, sorted(unredacted)))} receive "
            f"{', '.join(REQUEST_LOGGERS)} records without {REDACTING_FILTER} (or a "
            "subclass): credentials and CR/LF in user text would be written as they are.",
            hint=f"Add a filter {{'()': '{REDACTING_FILTER}'}} (and "
            "drf_hardening.logging.RequestIDFilter) to those handlers, as "
            "drf_hardening.presets.logging.logging_preset() does. See docs/logging.md.",
            id="drf_hardening.W061",
        )
    ]


def check_request_id_middleware(**kwargs: Any) -> Messages:
    if not _uses_our_handler() or REQUEST_ID_MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [
        Warning(
            f"MIDDLEWARE has no {REQUEST_ID_MIDDLEWARE!r}: each error body gets an id of its "
            "own that no other log record of the request carries, and no response has an "
            f"{conf.REQUEST_ID_HEADER} header.",
            hint=f"Add {REQUEST_ID_MIDDLEWARE!r} first in MIDDLEWARE (before "
            "django.middleware.security.SecurityMiddleware), so that the HTTPS redirect and "
            "a bad-Host 400 carry the id too.",
            id="drf_hardening.W062",
        )
    ]


def _dotted(view: Any) -> str:
    if isinstance(view, str):
        return view
    return f"{getattr(view, '__module__', '')}.{getattr(view, '__qualname__', '')}"


def check_error_handlers(**kwargs: Any) -> Messages:
    if not _uses_our_handler():
        return []
    try:
        urlconf = get_resolver().urlconf_module
    except ImportError:  # Django's own URL checks report it.
        return []
    missing = [
        status
        for status in names.ERROR_VIEWS
        if _dotted(getattr(urlconf, f"handler{status}", None)) != names.ERROR_VIEWS[status]
    ]
    if not missing:
        return []
    return [
        Warning(
            f"The root URLconf {settings.ROOT_URLCONF!r} does not set "
            f"{', '.join(f'handler{s}' for s in missing)} to "
            "drf_hardening.views: unknown URLs and errors outside DRF views answer with "
            "Django's HTML pages, not the API's JSON errors.",
            hint="Add to your root urls.py: "
            + "; ".join(f'handler{s} = "{names.ERROR_VIEWS[s]}"' for s in missing)
            + ". Django reads these from the root URLconf only.",
            id="drf_hardening.W063",
        )
    ]


def check_csrf_failure_view(**kwargs: Any) -> Messages:
    if not _uses_our_handler() or settings.CSRF_FAILURE_VIEW == names.CSRF_FAILURE_VIEW:
        return []
    return [
        Warning(
            f"CSRF_FAILURE_VIEW is {settings.CSRF_FAILURE_VIEW!r}: CSRF failures (session-"
            "authenticated API calls) answer with Django's HTML page.",
            hint=f'Set CSRF_FAILURE_VIEW = "{names.CSRF_FAILURE_VIEW}" '
            "(harden() does), or silence drf_hardening.W064 if you have your own.",
            id="drf_hardening.W064",
        )
    ]


CHECKS: Sequence[Callable[..., Messages]] = (
    check_exception_handler_class,
    check_unbounded_log_file,
    check_unredacted_handlers,
    check_request_id_middleware,
    check_error_handlers,
    check_csrf_failure_view,
)
