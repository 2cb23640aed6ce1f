"""Baseline (a) of fullstack_bench.py: the example's task list, hardened by hand with DRF only.

What the "Task Manager API" tutorials do (token authentication, DRF's
``UserRateThrottle``/``AnonRateThrottle`` plus a scoped rate on the tasks,
django-cors-headers, Django's HTTPS settings, a custom exception handler that
adds ``status_code``), on the example project's models and database, with no
drf-hardening anywhere in the request path. Same environment variables as the
example for what the benchmark varies (DATABASE_URL, REDIS_URL).

Run with ``DJANGO_SETTINGS_MODULE=tutorial_settings`` and ``benchmarks/`` plus
``example_project/`` on ``PYTHONPATH`` (fullstack_bench.py does both).
"""

from __future__ import annotations

import os

import dj_database_url

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "corsheaders",
    "tasks",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "tutorial_api"
DATABASES = {"default": dj_database_url.config(conn_max_age=60, conn_health_checks=True)}
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    # The same rates as the example project and the production preset;
    # EXAMPLE_THROTTLE_RATES overrides them as in the example (throttle_plot.py uses it).
    "DEFAULT_THROTTLE_RATES": {
        "user": "100/minute",
        "anon": "50/minute",
        "tasks": "60/minute",
        **dict(
            pair.split("=", 1)
            for pair in os.environ.get("EXAMPLE_THROTTLE_RATES", "").split(",")
            if pair
        ),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "tutorial_api.custom_exception_handler",
}
