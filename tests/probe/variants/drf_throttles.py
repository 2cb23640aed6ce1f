"""DRF's own throttles with DRF's default ``NUM_PROXIES = None``.

Behind a proxy that appends to ``X-Forwarded-For``, DRF's ``get_ident`` keys
on the whole header, which the client starts: each made-up address is a new
client with a fresh quota (drf_hardening.W001 says so at start-up).
"""

from taskmanager.settings import *  # noqa: F403
from taskmanager.settings import REST_FRAMEWORK

REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # mypy infers the example's dict as str -> Collection[str]; DRF reads None here.
    "NUM_PROXIES": None,  # type: ignore[dict-item]
}
