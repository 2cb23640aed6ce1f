"""A project whose only security configuration is one harden() call (deploy checks, docs)."""

import os

from drf_hardening import harden

SECRET_KEY = "k3J9-tests-only-Qm7!vXz2#pL8@wR4$nB6^yT1&hF5*cD0(sG3)aE9+uI7=oP2"
DEBUG = False
ROOT_URLCONF = "tests.urls_hardened"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# Throttle counts shared by every worker (tests pass the URL of their real redis-server).
# HARDENED_CACHE=locmem: Django's default local-memory cache, as a fresh project has.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    }
}
if os.environ.get("HARDENED_CACHE") == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

REPORT = harden(
    globals(),
    profile="production",
    allowed_hosts=["api.example.com"],
    cors_allowed_origins=["https://app.example.com"],
    trusted_proxies=1,
)
