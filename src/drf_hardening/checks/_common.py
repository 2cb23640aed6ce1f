"""What every check module shares: the message list type and the ``REST_FRAMEWORK`` reader."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage

Messages = list[CheckMessage]


def rest_framework_settings() -> dict[str, Any]:
    """``settings.REST_FRAMEWORK`` as the project wrote it; ``{}`` if unset or not a dict.

    Checks read the raw setting, not DRF's ``api_settings``, which imports every
    dotted path it names and would raise on the very mistakes they report.
    """
    value = getattr(settings, "REST_FRAMEWORK", None)
    return value if isinstance(value, dict) else {}
