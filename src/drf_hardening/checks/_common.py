"""What every check module shares: the message list type, the ``REST_FRAMEWORK`` reader, E011."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

Messages = list[CheckMessage]


def rest_framework_settings() -> dict[str, Any]:
    """``settings.REST_FRAMEWORK`` as the project wrote it; ``{}`` if unset or not a dict.

    Checks read the raw setting, not DRF's ``api_settings``, which imports every
    dotted path it names and would raise on the very mistakes they report.
    """
    value = getattr(settings, "REST_FRAMEWORK", None)
    return value if isinstance(value, dict) else {}


def string_where_a_list_is_expected(name: str, value: str) -> Error:
    """``drf_hardening.E011`` for the setting ``name``, written as the string ``value``."""
    return Error(
        f"{name} is the string {value!r}: a string is a sequence of characters, so each "
        "character would be read as one entry.",
        hint=f"Write {name} = [{value!r}].",
        id="drf_hardening.E011",
    )
