"""Checks of a project that documents its API with ``drf_hardening.openapi.AutoSchema``.

Ids: ``drf_hardening.E100``-``E119`` (wrong) and ``W100``-``W119`` (risky). They
fire only when ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` is the library's
``AutoSchema`` (or a subclass). Nothing here imports drf-spectacular at import time,
so the module is registered whether or not drf-spectacular is installed.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.utils.module_loading import import_string

from drf_hardening import names
from drf_hardening.checks._common import rest_framework_settings

SCHEMA_CLASS = names.SCHEMA_CLASS


def _uses_our_schema() -> bool:
    path = rest_framework_settings().get("DEFAULT_SCHEMA_CLASS")
    if path == SCHEMA_CLASS:
        return True
    if not isinstance(path, str):
        return False
    try:
        # Here, not at the top: this module must import without drf-spectacular.
        from drf_hardening.openapi.schema import AutoSchema

        cls = import_string(path)
    except ImportError:
        return False  # no drf-spectacular, or a path DRF itself fails on at the first request
    return isinstance(cls, type) and issubclass(cls, AutoSchema)


def check_exception_handler(**kwargs: Any) -> list[CheckMessage]:
    """W100: the schema documents the library's errors, but another handler sends them."""
    if not _uses_our_schema():
        return []
    handler = rest_framework_settings().get("EXCEPTION_HANDLER")
    if handler == names.EXCEPTION_HANDLER:
        return []
    return [
        Warning(
            f"REST_FRAMEWORK['DEFAULT_SCHEMA_CLASS'] is {SCHEMA_CLASS!r} but "
            f"REST_FRAMEWORK['EXCEPTION_HANDLER'] is {handler!r}: the schema cannot describe "
            "that handler's error bodies, so it documents no error responses at all.",
            hint=f"Set REST_FRAMEWORK['EXCEPTION_HANDLER'] = {names.EXCEPTION_HANDLER!r} "
            "(harden() does), and customise it through DRF_HARDENING['EXCEPTION_HANDLER_CLASS'].",
            id="drf_hardening.W100",
        )
    ]


def check_component_split_request(**kwargs: Any) -> list[CheckMessage]:
    """W101: request bodies share their component with responses, so strictness is lost."""
    spectacular = getattr(settings, "SPECTACULAR_SETTINGS", None)
    split = isinstance(spectacular, dict) and spectacular.get("COMPONENT_SPLIT_REQUEST") is True
    if split or not _uses_our_schema():
        return []
    return [
        Warning(
            "SPECTACULAR_SETTINGS['COMPONENT_SPLIT_REQUEST'] is not True: request bodies "
            "then share one component with responses, so the schema cannot say that strict "
            "serializers refuse unknown fields (additionalProperties: false), and it lists "
            "read-only fields in requests.",
            hint="Set SPECTACULAR_SETTINGS['COMPONENT_SPLIT_REQUEST'] = True.",
            id="drf_hardening.W101",
        )
    ]


#: Every check of this module, for ``drf_hardening.checks``.
CHECKS = [check_exception_handler, check_component_split_request]
