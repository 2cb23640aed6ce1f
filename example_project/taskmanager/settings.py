"""Settings of the example Task Manager API.

Only what belongs to this project is written here: its apps, database, cache,
authentication, filters and OpenAPI settings. Every security setting (throttles,
error handler, permissions, parsers, pagination, CORS, HTTPS, headers, logging,
middleware) comes from the one ``harden()`` call at the bottom; run
``python example_project/manage.py hardening_report`` to see what it set and why.

Configuration comes from environment variables with development defaults, so
``make demo`` needs nothing but Python (docs/example.md lists every variable).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from drf_hardening import harden

BASE_DIR = Path(__file__).resolve().parent.parent


def env_list(name: str) -> list[str] | None:
    """A comma-separated variable as a list; ``None`` when it is not set."""
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0, got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}.") from None


def parse_rates(raw: str) -> dict[str, str]:
    """``"tasks=50/day,user=100000/day"`` -> ``{"tasks": "50/day", "user": "100000/day"}``."""
    rates: dict[str, str] = {}
    for pair in raw.split(","):
        if not pair.strip():
            continue
        scope, equals, rate = (part.strip() for part in pair.partition("="))
        if not equals or not scope or not rate:
            raise ImproperlyConfigured(
                f"EXAMPLE_THROTTLE_RATES takes comma-separated scope=rate pairs such as "
                f"'tasks=50/day'; got {pair.strip()!r}."
            )
        rates[scope] = rate
    return rates


def env_profile() -> Literal["production", "development"]:
    """``DRF_HARDENING_PROFILE``, ``development`` when unset; another value stops the project."""
    raw = os.environ.get("DRF_HARDENING_PROFILE", "development")
    if raw == "production":
        return "production"
    if raw == "development":
        return "development"
    raise ImproperlyConfigured(
        f"DRF_HARDENING_PROFILE must be production or development, got {raw!r}."
    )


PROFILE = env_profile()

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PROFILE == "production":
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set under the production profile.")
    # Development only: a fixed key keeps demo tokens and sessions valid across restarts.
    SECRET_KEY = "django-insecure-example-project-development-only"

# Off by default, under development too: with DEBUG, unknown URLs and errors answer with
# Django's HTML debug pages instead of the API's JSON errors. DJANGO_DEBUG=1 turns it on.
DEBUG = env_flag("DJANGO_DEBUG", default=False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    # Hashed, expiring, revocable tokens (docs/tokens.md): the API's authentication.
    "drf_hardening.tokens",
    # DRF's plain-text tokens are no longer used; the app stays so that
    # `manage.py import_drf_tokens` can move an older demo database's tokens over
    # (and benchmarks/tutorial_settings.py, DRF only, shares this database).
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tasks",
]

# harden() adds its middleware (request ids, CORS, failed-auth guard, CSP) at the right places.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "taskmanager.urls"
WSGI_APPLICATION = "taskmanager.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]

# SQLite by default; DATABASE_URL=postgres://user:password@host:5432/name for PostgreSQL
# (psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}

# The throttles count in this cache: a local-memory cache is per process, so a server
# with several workers needs REDIS_URL (drf-hardening's system checks say so).
REDIS_URL = os.environ.get("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The project's own rates; harden() adds "user" and "anon" when they are missing here.
THROTTLE_RATES = {
    "tasks": "60/minute",  # every /api/tasks/ request of one user (ScopedRateThrottle)
    "register": "10/hour",  # account creation per client address
}
THROTTLE_RATES.update(parse_rates(os.environ.get("EXAMPLE_THROTTLE_RATES", "")))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_hardening.tokens.authentication.TokenAuthentication"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "tasks.filters.StrictSearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON only, under development too: the interactive pages are /api/docs/ and /api/redoc/.
    # (The development preset adds DRF's browsable API, whose page the API's
    # "default-src 'none'" CSP would leave without its styles and scripts.)
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Every operation's error responses, headers and strict fields (docs/openapi.md).
    "DEFAULT_SCHEMA_CLASS": "drf_hardening.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
}

DRF_HARDENING: dict[str, object] = {
    # The shape of every error body, and so of the schema's error components: "envelope",
    # "problem" (RFC 9457, application/problem+json) or "drf". Check E060 names a typo.
    "ERROR_FORMAT": os.environ.get("EXAMPLE_ERROR_FORMAT", "envelope"),
}
if "DRF_HARDENING_THROTTLE_FAIL_OPEN" in os.environ:
    DRF_HARDENING["THROTTLE_FAIL_OPEN"] = env_flag("DRF_HARDENING_THROTTLE_FAIL_OPEN", True)

SPECTACULAR_SETTINGS = {
    "TITLE": "Task Manager API",
    "DESCRIPTION": (
        "The example project of drf-hardening. Get a token from `POST /api/auth/token/` "
        "and send it as `Authorization: Bearer <token>` (or `Token <token>`); Swagger UI's "
        "Authorize button takes the bare token. Every error has the same JSON shape."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Public under the development profile, staff only under production (tasks.permissions).
    "SERVE_PERMISSIONS": ["tasks.permissions.DocsAccess"],
    # The API's own tokens, never a password: Basic would make every docs request a
    # password check (issue 17). Staff send their token (`Authorization: Bearer ...`).
    "SERVE_AUTHENTICATION": ["drf_hardening.tokens.authentication.TokenAuthentication"],
    # Separate request components: read-only fields (id, owner) are not in request bodies.
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from this project (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "displayRequestDuration": True},
}

# The one call that hardens everything above; it never overwrites what this file set.
harden(
    globals(),
    profile=PROFILE,
    allowed_hosts=env_list("DJANGO_ALLOWED_HOSTS"),
    cors_allowed_origins=env_list("DJANGO_CORS_ALLOWED_ORIGINS"),
    trusted_proxies=env_int("DJANGO_TRUSTED_PROXIES", 0),
)
