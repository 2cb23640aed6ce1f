"""drf_hardening.checks.settings: one test per id that makes it fire, and the checks are bound."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from drf_hardening.checks import conf as conf_checks
from drf_hardening.checks import cors
from drf_hardening.checks import settings as checks
from drf_hardening.names import REQUEST_ID_MIDDLEWARE
from tests.helpers import check_ids

CORS = "corsheaders.middleware.CorsMiddleware"
COMMON = "django.middleware.common.CommonMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"
PRODUCTION_REST = {
    "NUM_PROXIES": 0,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": ["drf_hardening.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "drf_hardening.authentication.BasicAuthentication",
    ],
}
SHARED_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


@pytest.fixture
def production(settings: Any) -> Any:
    """Settings as harden(profile="production") leaves them, plus the urls.py handlers."""
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.REST_FRAMEWORK = dict(PRODUCTION_REST)
    settings.MIDDLEWARE = [SECURITY, "drf_hardening.middleware.RequestIDMiddleware", CORS, COMMON]
    settings.CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
    settings.ROOT_URLCONF = "tests.urls_hardened"
    settings.CACHES = SHARED_CACHE
    return settings


def test_defaults_pass() -> None:
    assert check_ids() == []


def test_production_defaults_pass(production: Any) -> None:
    assert check_ids() == []


def test_checks_are_bound(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E001"):
        call_command("check")


def test_allow_all_with_credentials_fires_e001_in_any_profile(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    assert check_ids(cors.check_cors_allow_all) == ["drf_hardening.E001"]


def test_legacy_allow_all_name_counts_too(settings: Any) -> None:
    settings.CORS_ORIGIN_ALLOW_ALL = True
    settings.CORS_ALLOW_CREDENTIALS = True
    assert check_ids(cors.check_cors_allow_all) == ["drf_hardening.E001"]


def test_allow_all_in_production_fires_e002(production: Any) -> None:
    production.CORS_ALLOW_ALL_ORIGINS = True
    assert check_ids(cors.check_cors_allow_all) == ["drf_hardening.E002"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E002"):
        call_command("check")


def test_allow_all_without_credentials_in_development_passes(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.DRF_HARDENING = {"PROFILE": "development"}
    assert check_ids(cors.check_cors_allow_all) == []


def test_missing_cors_middleware_fires_e003(settings: Any) -> None:
    settings.MIDDLEWARE = [SECURITY, COMMON]
    assert check_ids(cors.check_cors_middleware) == ["drf_hardening.E003"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E003"):
        call_command("check")


def test_missing_cors_middleware_is_fine_without_corsheaders(settings: Any) -> None:
    settings.MIDDLEWARE = [SECURITY, COMMON]
    settings.INSTALLED_APPS = [app for app in settings.INSTALLED_APPS if app != "corsheaders"]
    assert check_ids(cors.check_cors_middleware) == []


@pytest.mark.parametrize(
    "answering",
    [
        COMMON,
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
)
def test_cors_middleware_below_an_answering_one_fires_e004(settings: Any, answering: str) -> None:
    settings.MIDDLEWARE = [SECURITY, answering, CORS]
    (message,) = cors.check_cors_middleware()
    assert message.id == "drf_hardening.E004"
    assert answering in message.msg
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E004"):
        call_command("check")


def test_security_middleware_not_first_fires_w005(settings: Any) -> None:
    settings.MIDDLEWARE = [CORS, SECURITY, COMMON]
    assert check_ids(cors.check_security_middleware) == ["drf_hardening.W005"]


def test_security_middleware_below_request_id_only_passes_w005(settings: Any) -> None:
    settings.MIDDLEWARE = [REQUEST_ID_MIDDLEWARE, SECURITY, COMMON]
    assert check_ids(cors.check_security_middleware) == []
    settings.MIDDLEWARE = [REQUEST_ID_MIDDLEWARE, CORS, SECURITY]
    (message,) = cors.check_security_middleware()
    assert message.id == "drf_hardening.W005"
    assert CORS in message.msg
    assert REQUEST_ID_MIDDLEWARE not in message.msg.partition("above")[0]


def test_empty_allowed_hosts_in_production_fires_e005(production: Any) -> None:
    production.ALLOWED_HOSTS = []
    assert check_ids(checks.check_allowed_hosts) == ["drf_hardening.E005"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E005"):
        call_command("check")


def test_star_in_allowed_hosts_in_production_fires_e006(production: Any) -> None:
    production.ALLOWED_HOSTS = ["api.example.com", "*"]
    assert check_ids(checks.check_allowed_hosts) == ["drf_hardening.E006"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E006"):
        call_command("check")


def test_star_in_development_passes(settings: Any) -> None:
    settings.ALLOWED_HOSTS = ["*"]
    settings.DRF_HARDENING = {"PROFILE": "development"}
    assert check_ids(checks.check_allowed_hosts) == []


def test_proxy_ssl_header_without_a_proxy_fires_e007(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert check_ids(checks.check_proxy_ssl_header) == ["drf_hardening.E007"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E007"):
        call_command("check")
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": 1}
    assert check_ids(checks.check_proxy_ssl_header) == []


def test_proxy_ssl_header_with_num_proxies_standing_in_passes(settings: Any) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 1}
    assert check_ids(checks.check_proxy_ssl_header) == []
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": 0}  # set: it wins over NUM_PROXIES
    assert check_ids(checks.check_proxy_ssl_header) == ["drf_hardening.E007"]


def test_num_proxies_none_with_drf_ip_throttle_fires_w001(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    }
    (message,) = checks.check_num_proxies()
    assert message.id == "drf_hardening.W001"
    assert "X-Forwarded-For" in message.msg


def test_num_proxies_none_is_fine_with_the_librarys_throttles(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": [
            "drf_hardening.throttling.AnonRateThrottle",
            "no.such.Throttle",
        ],
    }
    assert check_ids(checks.check_num_proxies) == []


def test_num_proxies_set_passes_with_drf_throttles(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 1,
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    }
    assert check_ids(checks.check_num_proxies) == []


def test_foreign_exception_handler_after_harden_fires_w002(production: Any) -> None:
    production.REST_FRAMEWORK = {**PRODUCTION_REST, "EXCEPTION_HANDLER": "myapp.handler"}
    assert check_ids(checks.check_exception_handler) == ["drf_hardening.W002"]


def test_foreign_exception_handler_without_harden_passes(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "myapp.handler"}
    assert check_ids(checks.check_exception_handler) == []


def test_browsable_api_in_production_fires_w003(production: Any) -> None:
    production.REST_FRAMEWORK = {
        **PRODUCTION_REST,
        "DEFAULT_RENDERER_CLASSES": [
            "rest_framework.renderers.JSONRenderer",
            "rest_framework.renderers.BrowsableAPIRenderer",
        ],
    }
    assert check_ids(checks.check_production_defaults) == ["drf_hardening.W003"]


@pytest.mark.parametrize("permissions", [None, ["rest_framework.permissions.AllowAny"]])
def test_allow_any_in_production_fires_w004(production: Any, permissions: Any) -> None:
    rest = dict(PRODUCTION_REST)
    rest.pop("DEFAULT_PERMISSION_CLASSES")
    if permissions is not None:
        rest["DEFAULT_PERMISSION_CLASSES"] = permissions
    production.REST_FRAMEWORK = rest
    assert check_ids(checks.check_production_defaults) == ["drf_hardening.W004"]


def test_debug_in_production_fires_e010(production: Any) -> None:
    production.DEBUG = True
    assert check_ids(checks.check_production_defaults) == ["drf_hardening.E010"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E010"):
        call_command("check")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLOWED_HOSTS", "api.example.com"),
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CSRF_TRUSTED_ORIGINS", "https://app.example.com"),
    ],
)
def test_string_where_a_list_is_expected_fires_e011(settings: Any, name: str, value: str) -> None:
    setattr(settings, name, value)
    (message,) = checks.check_sequences()
    assert message.id == "drf_hardening.E011"
    assert name in message.msg
    assert message.hint == f"Write {name} = [{value!r}]."


def test_string_in_rest_framework_or_drf_hardening_fires_e011(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": "drf_hardening.throttling.AnonRateThrottle"
    }
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": "10.0.0.1"}
    # DRF_HARDENING's keys are all checked by checks.conf, this one too.
    found = [*checks.check_sequences(), *conf_checks.check_drf_hardening()]
    assert [m.id for m in found] == ["drf_hardening.E011", "drf_hardening.E011"]
    assert "REST_FRAMEWORK['DEFAULT_THROTTLE_CLASSES']" in found[0].msg
    assert "DRF_HARDENING['TRUSTED_PROXIES']" in found[1].msg
    assert found[1].hint == "Write DRF_HARDENING['TRUSTED_PROXIES'] = ['10.0.0.1']."
    assert check_ids().count("drf_hardening.E011") == 2  # reported once each, E027 stays silent
    assert checks.check_num_proxies() == []  # the string is reported once, by E011
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E011"):
        call_command("check")


def test_every_message_has_a_hint(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production", "TRUSTED_PROXIES": "x"}
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.MIDDLEWARE = [COMMON]
    settings.REST_FRAMEWORK = {}
    messages = [m for check in (*cors.CHECKS, *checks.CHECKS) for m in check()]
    assert len(messages) >= 7
    for message in messages:
        assert message.hint, message.id
