"""The one reader of the ``DRF_HARDENING`` setting.

Every property re-reads ``django.conf.settings`` when it is accessed, so
``override_settings`` and pytest-django's ``settings`` fixture take effect at
once, with no signal handler and no cache to clear (the pattern of
django-cors-headers' ``conf``). Nothing in the package binds a setting at
import time or at class-definition time: read ``conf.X`` inside the function
that needs it.

Each default is documented, with the reason for it, in ``docs/settings.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings

#: Defaults of every ``DRF_HARDENING`` key. ``docs/settings.md`` explains each.
DEFAULTS: Mapping[str, Any] = {
    # Which profile harden() applied; None when the project does not use harden().
    "PROFILE": None,
    # Client identity (drf_hardening.client_ip).
    "TRUSTED_PROXIES": 0,
    "IPV6_PREFIX_LENGTH": 64,
    # Throttling (drf_hardening.throttling).
    "THROTTLE_CACHE": "default",
    "THROTTLE_FAIL_OPEN": True,
    "THROTTLE_TIMEOUT": 0.25,
    "RATELIMIT_HEADERS": True,
    "FAILED_AUTH_RATE": "10/min",
    "LOGIN_RATE": "5/min",
    # Lists (drf_hardening.pagination.PageNumberPagination).
    "MAX_PAGE_SIZE": 100,
    # Errors (drf_hardening.exceptions and drf_hardening.views).
    "ERROR_FORMAT": "envelope",
    # Paths whose Django-level errors (handler404, csrf_failure...) answer JSON; "/" is all.
    "API_PATH_PREFIXES": ("/",),
    # Request ids (drf_hardening.middleware.RequestIDMiddleware).
    "REQUEST_ID_HEADER": "X-Request-ID",
    # Content-Security-Policy of API responses, sent by
    # drf_hardening.middleware.ContentSecurityPolicyMiddleware on Django < 6.0.
    "CONTENT_SECURITY_POLICY": "default-src 'none'; frame-ancestors 'none'",
}


class Settings:
    """Typed, read-at-access view of ``settings.DRF_HARDENING`` merged over ``DEFAULTS``."""

    def _get(self, name: str) -> Any:
        user: Mapping[str, Any] = getattr(settings, "DRF_HARDENING", None) or {}
        return user.get(name, DEFAULTS[name])

    @property
    def user_settings(self) -> Mapping[str, Any]:
        """The raw ``DRF_HARDENING`` mapping as the project wrote it (for checks)."""
        value: Mapping[str, Any] = getattr(settings, "DRF_HARDENING", None) or {}
        return value

    @property
    def PROFILE(self) -> str | None:
        value: str | None = self._get("PROFILE")
        return value

    @property
    def TRUSTED_PROXIES(self) -> int | Sequence[str]:
        value: int | Sequence[str] = self._get("TRUSTED_PROXIES")
        return value

    @property
    def IPV6_PREFIX_LENGTH(self) -> int:
        return int(self._get("IPV6_PREFIX_LENGTH"))

    @property
    def THROTTLE_CACHE(self) -> str:
        return str(self._get("THROTTLE_CACHE"))

    @property
    def THROTTLE_FAIL_OPEN(self) -> bool:
        return bool(self._get("THROTTLE_FAIL_OPEN"))

    @property
    def THROTTLE_TIMEOUT(self) -> float:
        return float(self._get("THROTTLE_TIMEOUT"))

    @property
    def RATELIMIT_HEADERS(self) -> bool:
        return bool(self._get("RATELIMIT_HEADERS"))

    @property
    def FAILED_AUTH_RATE(self) -> str | None:
        value: str | None = self._get("FAILED_AUTH_RATE")
        return value

    @property
    def LOGIN_RATE(self) -> str:
        return str(self._get("LOGIN_RATE"))

    @property
    def MAX_PAGE_SIZE(self) -> int:
        return int(self._get("MAX_PAGE_SIZE"))

    @property
    def ERROR_FORMAT(self) -> str:
        return str(self._get("ERROR_FORMAT"))

    @property
    def API_PATH_PREFIXES(self) -> Sequence[str]:
        value: Sequence[str] = self._get("API_PATH_PREFIXES")
        return value

    @property
    def REQUEST_ID_HEADER(self) -> str:
        return str(self._get("REQUEST_ID_HEADER"))

    @property
    def CONTENT_SECURITY_POLICY(self) -> str | None:
        value: str | None = self._get("CONTENT_SECURITY_POLICY")
        return value


conf = Settings()
