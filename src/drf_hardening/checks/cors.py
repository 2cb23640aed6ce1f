"""Checks of CORS and of the middleware order: ``drf_hardening.E001``-``E004`` and ``W005``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning

from drf_hardening import names
from drf_hardening.checks._common import Messages
from drf_hardening.conf import conf
from drf_hardening.names import CORS_MIDDLEWARE, SECURITY_MIDDLEWARE

#: Middleware that can answer a request before the view, so CorsMiddleware must
#: run before them or their responses miss the CORS headers (django-cors-headers' README).
ANSWERING_MIDDLEWARE = (
    names.COMMON_MIDDLEWARE,
    names.CSRF_MIDDLEWARE,
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
    "django.middleware.cache.CacheMiddleware",
    "django.contrib.redirects.middleware.RedirectFallbackMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    names.AUTH_GUARD_MIDDLEWARE,
)


def _allow_all_origins() -> bool:
    # CORS_ORIGIN_ALLOW_ALL is django-cors-headers' old name, still honoured.
    return bool(
        getattr(settings, "CORS_ALLOW_ALL_ORIGINS", False)
        or getattr(settings, "CORS_ORIGIN_ALLOW_ALL", False)
    )


def check_cors_allow_all(**kwargs: Any) -> Messages:
    if not _allow_all_origins():
        return []
    if getattr(settings, "CORS_ALLOW_CREDENTIALS", False):
        return [
            Error(
                "CORS_ALLOW_ALL_ORIGINS is True while CORS_ALLOW_CREDENTIALS is True: every "
                "website can make credentialed requests to this API and read the answers.",
                hint="List the origins that need credentials in CORS_ALLOWED_ORIGINS.",
                id="drf_hardening.E001",
            )
        ]
    if conf.PROFILE == "production":
        return [
            Error(
                "CORS_ALLOW_ALL_ORIGINS is True under the production profile.",
                hint="List the front-end origins in CORS_ALLOWED_ORIGINS "
                "(harden(cors_allowed_origins=[...])).",
                id="drf_hardening.E002",
            )
        ]
    return []


def check_cors_middleware(**kwargs: Any) -> Messages:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if CORS_MIDDLEWARE not in middleware:
        if "corsheaders" not in settings.INSTALLED_APPS:
            return []  # the project does not use django-cors-headers at all
        return [
            Error(
                f"MIDDLEWARE does not contain {CORS_MIDDLEWARE!r}: CORS settings have no effect.",
                hint="Add it above CommonMiddleware (harden() does this when it is missing).",
                id="drf_hardening.E003",
            )
        ]
    position = middleware.index(CORS_MIDDLEWARE)
    above = [name for name in middleware[:position] if name in ANSWERING_MIDDLEWARE]
    if above:
        return [
            Error(
                f"MIDDLEWARE lists {CORS_MIDDLEWARE!r} below {', '.join(map(repr, above))}, "
                "which can answer first: those responses miss the CORS headers.",
                hint=f"Move {CORS_MIDDLEWARE!r} above {above[0]!r}.",
                id="drf_hardening.E004",
            )
        ]
    return []


def check_security_middleware(**kwargs: Any) -> Messages:
    middleware = list(getattr(settings, "MIDDLEWARE", None) or [])
    if SECURITY_MIDDLEWARE not in middleware:
        return []
    # RequestIDMiddleware may stand above it (the presets put it first): it only sets the
    # id, so the HTTPS redirect and a bad-Host 400 carry the same id as their log line.
    above = [
        name
        for name in middleware[: middleware.index(SECURITY_MIDDLEWARE)]
        if name != names.REQUEST_ID_MIDDLEWARE
    ]
    if above:
        return [
            Warning(
                f"MIDDLEWARE lists {', '.join(map(repr, above))} above {SECURITY_MIDDLEWARE!r}: "
                "their responses miss the HTTPS redirect and security headers.",
                hint=f"Move {SECURITY_MIDDLEWARE!r} to the top of MIDDLEWARE (only "
                f"{names.REQUEST_ID_MIDDLEWARE!r} may come before it).",
                id="drf_hardening.W005",
            )
        ]
    return []


CHECKS: Sequence[Callable[..., Messages]] = (
    check_cors_allow_all,
    check_cors_middleware,
    check_security_middleware,
)
