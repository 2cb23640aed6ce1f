"""A project whose only security configuration is one harden() call (deploy checks, docs)."""

from drf_hardening import harden

SECRET_KEY = "k3J9-tests-only-Qm7!vXz2#pL8@wR4$nB6^yT1&hF5*cD0(sG3)aE9+uI7=oP2"
DEBUG = False
ROOT_URLCONF = "tests.urls_hardened"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

REPORT = harden(
    globals(),
    profile="production",
    allowed_hosts=["api.example.com"],
    cors_allowed_origins=["https://app.example.com"],
    trusted_proxies=1,
)
