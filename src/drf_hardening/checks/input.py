"""Checks of how request bodies are accepted: parsers and the body-size cap.

Ids: ``drf_hardening.E040``-``E059`` (wrong) and ``W040``-``W059`` (risky);
``E043`` (``MAX_PAGE_SIZE``) is raised by ``drf_hardening.checks.conf``.
``StrictCharField`` options need no check: a bad option raises
``ImproperlyConfigured`` when the serializer class is defined.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning

from drf_hardening import names
from drf_hardening.checks._common import Messages, rest_framework_settings
from drf_hardening.conf import conf

OUR_PARSER = names.JSON_PARSER
DRF_JSON_PARSER = names.DRF_JSON_PARSER
# What DRF uses when DEFAULT_PARSER_CLASSES is not set.
DRF_DEFAULT_PARSERS = [
    DRF_JSON_PARSER,
    names.DRF_FORM_PARSER,
    names.DRF_MULTIPART_PARSER,
]


def _parsers() -> list[Any]:
    parsers = rest_framework_settings().get("DEFAULT_PARSER_CLASSES", DRF_DEFAULT_PARSERS)
    # A string is reported by drf_hardening.E011; anything else but a list, by DRF.
    return list(parsers) if isinstance(parsers, list | tuple) else []


def check_parsers(**kwargs: Any) -> Messages:
    if conf.PROFILE is None:
        return []  # a project that does not use harden() chose its parsers itself
    parsers = _parsers()
    messages: Messages = []
    others = [p for p in parsers if p not in (DRF_JSON_PARSER, OUR_PARSER)]
    if others:
        messages.append(
            Warning(
                f"REST_FRAMEWORK['DEFAULT_PARSER_CLASSES'] accepts more than JSON: {others!r}. "
                "Form and multipart bodies widen the attack surface (CSRF-able simple "
                "requests, file uploads) of an API that documents JSON.",
                hint=f"Set REST_FRAMEWORK['DEFAULT_PARSER_CLASSES'] = [{OUR_PARSER!r}] and "
                "set parser_classes on the few views that take uploads.",
                id="drf_hardening.W040",
            )
        )
    if DRF_JSON_PARSER in parsers:
        messages.append(
            Warning(
                f"REST_FRAMEWORK['DEFAULT_PARSER_CLASSES'] has {DRF_JSON_PARSER!r}: its 400 "
                "says where the JSON broke ('Expecting value: line 1 column 11'), a deeply "
                "nested body makes it raise RecursionError (a 500), and under DRF 3.16 it "
                "reads bodies past DATA_UPLOAD_MAX_MEMORY_SIZE.",
                hint=f"Use {OUR_PARSER!r}, a drop-in replacement with a generic message.",
                id="drf_hardening.W041",
            )
        )
    return messages


def check_body_cap(**kwargs: Any) -> Messages:
    # django-stubs types the setting as int, but Django documents None as "no cap".
    cap: int | None = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None)
    if cap is not None:
        return []
    return [
        Warning(
            "DATA_UPLOAD_MAX_MEMORY_SIZE is None: request bodies of any size are read into "
            "memory and parsed, so one request can exhaust the worker's memory.",
            hint="Remove the setting (Django's default is 2.5 MB) or set a cap in bytes; "
            "bodies over it get a 413.",
            id="drf_hardening.W042",
        )
    ]


CHECKS = [check_parsers, check_body_cap]
