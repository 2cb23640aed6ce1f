"""The settings of tests/openapi's API; importable before Django is set up (for scripts/)."""

from __future__ import annotations

from typing import Any

from drf_hardening import names

FORMATS = ["envelope", "problem", "drf"]
SCHEMA_CLASS = "drf_hardening.openapi.AutoSchema"
RATES = {"notes": "30/min", "user": "1000/min", "anon": "1000/min"}


def api_settings(error_format: str = "envelope", **hardening: Any) -> dict[str, Any]:
    """The Django settings of the test API, in ``error_format``, with ``DRF_HARDENING`` extras."""
    return {
        "ROOT_URLCONF": "tests.openapi.urls",
        "ALLOWED_HOSTS": ["testserver", "localhost", "127.0.0.1"],
        "MIDDLEWARE": [
            names.REQUEST_ID_MIDDLEWARE,
            names.SECURITY_MIDDLEWARE,
            names.CORS_MIDDLEWARE,
            names.COMMON_MIDDLEWARE,
        ],
        "CSRF_FAILURE_VIEW": names.CSRF_FAILURE_VIEW,
        "REST_FRAMEWORK": {
            "NUM_PROXIES": 0,
            "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
            "DEFAULT_SCHEMA_CLASS": SCHEMA_CLASS,
            "DEFAULT_THROTTLE_RATES": dict(RATES),
            "DEFAULT_PAGINATION_CLASS": names.PAGINATION,
            "PAGE_SIZE": 2,
        },
        "DRF_HARDENING": {"ERROR_FORMAT": error_format, **hardening},
    }
