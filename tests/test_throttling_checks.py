"""System checks drf_hardening.E020-E039 / W020-W039 (throttling and client identity)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from drf_hardening.checks import conf as conf_checks
from drf_hardening.checks import throttling as checks
from tests.helpers import check_ids

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


# The DRF_HARDENING values (E021-E023, E027, E028, E031-E033) are checked by checks.conf.
THROTTLING_CHECKS = (*checks.CHECKS, *conf_checks.CHECKS)


def test_defaults_pass() -> None:
    assert check_ids(*THROTTLING_CHECKS) == []


def test_checks_are_registered(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "100/month"}}
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E020"):
        call_command("check")


def test_e020_malformed_throttle_rate(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"user": "100/month", "anon": None}}
    (message,) = checks.check_throttle_rates()
    assert message.id == "drf_hardening.E020"
    assert "REST_FRAMEWORK[\"DEFAULT_THROTTLE_RATES\"]['user'] = '100/month'" in message.msg
    assert message.hint


def test_e020_valid_multiples_pass(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"a": "100/5m", "b": "1000/12h"}}
    assert check_ids(*THROTTLING_CHECKS) == []


def test_e021_malformed_login_rate(settings: Any) -> None:
    settings.DRF_HARDENING = {"LOGIN_RATE": "5 per minute"}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E021"]


def test_e022_malformed_failed_auth_rate(settings: Any) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "10/fortnight"}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E022"]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": None}
    assert check_ids(*THROTTLING_CHECKS) == []


def test_e023_unknown_throttle_cache(settings: Any) -> None:
    settings.DRF_HARDENING = {"THROTTLE_CACHE": "throttles"}
    assert checks.check_throttle_cache() == []  # judges "default", which requests then use
    (message,) = conf_checks.check_drf_hardening()
    assert message.id == "drf_hardening.E023"
    assert "'throttles'" in message.msg
    assert "'default'" in message.msg


def test_e024_dummy_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E024"]


@pytest.mark.parametrize("backend", ["db.DatabaseCache", "filebased.FileBasedCache"])
def test_w025_cache_without_atomic_increment(settings: Any, backend: str) -> None:
    settings.CACHES = {
        "default": {"BACKEND": f"django.core.cache.backends.{backend}", "LOCATION": "x"}
    }
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.W025"]


def test_w026_locmem_in_production(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.W026"]
    settings.DRF_HARDENING = {"PROFILE": "development"}
    assert check_ids(*THROTTLING_CHECKS) == []


@pytest.mark.parametrize("value", [-1, True, ["10.0.0.0/8", "proxy.local"], 1.5, None])
def test_e027_malformed_trusted_proxies(settings: Any, value: Any) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": value}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E027"]


@pytest.mark.parametrize("value", [0, 2, ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"], ()])
def test_e027_valid_trusted_proxies(settings: Any, value: Any) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": value}
    assert check_ids(*THROTTLING_CHECKS) == []


def test_e027_bare_string_is_reported_once_as_e011(settings: Any) -> None:
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": "10.0.0.1"}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E011"]


@pytest.mark.parametrize("value", ["1", -1, True, 1.5])
def test_e034_malformed_num_proxies_standing_in(settings: Any, value: Any) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": value}
    (message,) = conf_checks.check_drf_hardening()
    assert message.id == "drf_hardening.E034"
    assert repr(value) in message.msg
    settings.DRF_HARDENING = {"TRUSTED_PROXIES": 1}  # NUM_PROXIES is then not read
    assert check_ids(*THROTTLING_CHECKS) == []


@pytest.mark.parametrize("value", [None, 0, 2])
def test_e034_valid_num_proxies(settings: Any, value: Any) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": value}
    assert check_ids(*THROTTLING_CHECKS) == []


@pytest.mark.parametrize("value", [0, 129, "64", True])
def test_e028_bad_ipv6_prefix_length(settings: Any, value: Any) -> None:
    settings.DRF_HARDENING = {"IPV6_PREFIX_LENGTH": value}
    assert check_ids(*THROTTLING_CHECKS) == ["drf_hardening.E028"]


def test_w029_drf_throttle_classes(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"user": "10/min"},
    }
    (message,) = checks.check_drf_throttles()
    assert message.id == "drf_hardening.W029"
    assert "drf_hardening.throttling.UserRateThrottle" in str(message.hint)


def test_e120_async_throttle_classes_in_the_defaults(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": [
            "drf_hardening.throttling.aio_throttles.AsyncUserRateThrottle"
        ],
        "DEFAULT_THROTTLE_RATES": {"user": "10/min"},
    }
    (message,) = checks.check_drf_throttles()
    assert message.id == "drf_hardening.E120"
    assert "AsyncUserRateThrottle" in message.msg
    assert "adrf views" in str(message.hint)


def test_e120_silent_for_the_sync_classes(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": ["drf_hardening.throttling.UserRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"user": "10/min"},
    }
    assert checks.check_drf_throttles() == []


def test_e030_scope_without_rate(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        "DEFAULT_THROTTLE_CLASSES": [
            "drf_hardening.throttling.AnonRateThrottle",
            "drf_hardening.throttling.UserRateThrottle",
            "drf_hardening.throttling.LoginRateThrottle",  # falls back to LOGIN_RATE
            "drf_hardening.throttling.ScopedRateThrottle",  # scope comes from views
            "no.such.Throttle",
            "",
        ],
        "DEFAULT_THROTTLE_RATES": {"anon": "10/min"},
    }
    (message,) = checks.check_drf_throttles()
    assert message.id == "drf_hardening.E030"
    assert "'user'" in message.msg


def test_throttle_classes_as_a_string_is_left_to_e011(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": "rest_framework.throttling.X"}
    assert checks.check_drf_throttles() == []


def test_e030_names_a_class_given_as_an_object(settings: Any) -> None:
    from drf_hardening.throttling import UserRateThrottle

    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_CLASSES": [UserRateThrottle]}
    (message,) = checks.check_drf_throttles()
    assert message.id == "drf_hardening.E030"
    assert message.msg.startswith("drf_hardening.throttling.throttles.UserRateThrottle has scope")
