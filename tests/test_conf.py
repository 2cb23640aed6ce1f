"""drf_hardening.conf and its check: values as written, one id per key, defaults when invalid."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta
from types import MappingProxyType
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from drf_hardening import names, throttling
from drf_hardening.checks import conf as checks
from drf_hardening.conf import DEFAULTS, KEYS, as_timedelta, conf
from drf_hardening.exceptions import ExceptionHandler
from drf_hardening.throttling import events
from tests.helpers import check_ids

#: (key, a bad value, a good value, the id the bad value fires). Every key is here.
CASES = [
    ("PROFILE", "staging", "development", "E014"),
    ("TRUSTED_PROXIES", -1, ["10.0.0.0/8", "2001:db8::/32"], "E027"),
    ("IPV6_PREFIX_LENGTH", "/64", 48, "E028"),
    ("THROTTLE_CACHE", "throttles", "default", "E023"),
    (
        "THROTTLE_STORE",
        {"URL": "redis://h:6379/0", "CLUSTER_NODES": []},
        {"URL": "valkey://h/1"},
        "E035",
    ),
    ("THROTTLE_FAIL_OPEN", "false", False, "E031"),
    ("THROTTLE_TIMEOUT", "0.25", 1, "E032"),
    ("RATELIMIT_HEADERS", 0, False, "E033"),
    ("FAILED_AUTH_RATE", "10/fortnight", None, "E022"),
    ("LOGIN_RATE", None, "5/5m", "E021"),
    ("MAX_PAGE_SIZE", None, 500, "E043"),
    ("ERROR_FORMAT", "xml", "problem", "E060"),
    ("API_PATH_PREFIXES", "/api/", ["/api/"], "E062"),
    ("EXCEPTION_HANDLER_CLASS", ExceptionHandler, names.EXCEPTION_HANDLER_CLASS, "E016"),
    ("REQUEST_ID_HEADER", "X Request ID", "X-Correlation-ID", "E061"),
    ("CONTENT_SECURITY_POLICY", "default-src 'none'\r\nX-Evil: 1", None, "E015"),
    ("TOKEN_TTL", 0, 3600, "E080"),
    ("TOKEN_IDLE_TTL", -5, timedelta(hours=1), "E081"),
    ("TOKEN_PREFIX", "drf_h", "acme42", "E082"),
    ("TOKEN_LAST_USED_INTERVAL", None, 0, "E083"),
    ("TOKEN_MAX_PER_USER", 0, None, "E084"),
    ("TOKEN_LEGACY_TTL", 1e20, None, "E085"),  # too large for a timedelta
]
#: More values each validator must refuse: (key, value, id).
MORE_BAD = [
    ("PROFILE", "Production", "E014"),
    ("TRUSTED_PROXIES", True, "E027"),
    ("TRUSTED_PROXIES", 1.5, "E027"),
    ("TRUSTED_PROXIES", None, "E027"),
    ("TRUSTED_PROXIES", ["10.0.0.0/8", "proxy.local"], "E027"),
    ("TRUSTED_PROXIES", [167772161], "E027"),
    ("TRUSTED_PROXIES", "10.0.0.1", "E011"),  # a list written as a string: once, as E011
    ("IPV6_PREFIX_LENGTH", 0, "E028"),
    ("IPV6_PREFIX_LENGTH", 129, "E028"),
    ("IPV6_PREFIX_LENGTH", True, "E028"),
    ("THROTTLE_CACHE", ["default"], "E023"),
    ("THROTTLE_FAIL_OPEN", "true", "E031"),
    ("THROTTLE_FAIL_OPEN", 1, "E031"),
    ("THROTTLE_TIMEOUT", 0, "E032"),
    ("THROTTLE_TIMEOUT", math.inf, "E032"),
    ("THROTTLE_TIMEOUT", math.nan, "E032"),
    ("THROTTLE_TIMEOUT", True, "E032"),
    ("RATELIMIT_HEADERS", "no", "E033"),
    ("FAILED_AUTH_RATE", 10, "E022"),
    ("LOGIN_RATE", "5 per minute", "E021"),
    ("MAX_PAGE_SIZE", "x", "E043"),
    ("MAX_PAGE_SIZE", 0, "E043"),
    ("MAX_PAGE_SIZE", True, "E043"),
    ("MAX_PAGE_SIZE", 100.0, "E043"),
    ("ERROR_FORMAT", ["problem"], "E060"),
    ("API_PATH_PREFIXES", ["api/"], "E062"),
    ("API_PATH_PREFIXES", [None], "E062"),
    ("REQUEST_ID_HEADER", "X-Request-ID\n", "E061"),
    ("REQUEST_ID_HEADER", None, "E061"),
    ("CONTENT_SECURITY_POLICY", ["default-src 'none'"], "E015"),
    ("TOKEN_TTL", "30d", "E080"),
    ("TOKEN_TTL", True, "E080"),
    ("TOKEN_TTL", timedelta(0), "E080"),
    ("TOKEN_TTL", math.inf, "E080"),
    ("TOKEN_TTL", 10**30, "E080"),
    ("TOKEN_IDLE_TTL", timedelta(seconds=-1), "E081"),
    ("TOKEN_PREFIX", "", "E082"),
    ("TOKEN_PREFIX", "a" * 17, "E082"),
    ("TOKEN_PREFIX", "drfé", "E082"),
    ("TOKEN_PREFIX", None, "E082"),
    ("TOKEN_LAST_USED_INTERVAL", -1, "E083"),
    ("TOKEN_MAX_PER_USER", True, "E084"),
    ("TOKEN_MAX_PER_USER", 2.5, "E084"),
    ("TOKEN_LEGACY_TTL", 0.0, "E085"),
]
BAD = [(key, bad, check_id) for key, bad, _good, check_id in CASES] + MORE_BAD


def test_defaults_pass(settings: Any) -> None:
    del settings.DRF_HARDENING
    assert check_ids(checks.check_drf_hardening) == []
    settings.DRF_HARDENING = {}
    assert check_ids(checks.check_drf_hardening) == []
    assert {name: getattr(conf, name) for name in KEYS} == DEFAULTS


def test_every_key_has_a_case_and_its_own_id() -> None:
    assert [key for key, *_ in CASES] == list(KEYS) == list(checks.RULES)
    check_ids = [check_id for check_id, _hint in checks.RULES.values()]
    assert len(set(check_ids)) == len(check_ids)


def test_checks_are_bound(settings: Any) -> None:
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": "false"}
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E031"):
        call_command("check")


@pytest.mark.parametrize(("key", "bad", "good", "check_id"), CASES, ids=[c[0] for c in CASES])
def test_bad_value_fires_its_id_and_good_value_passes(
    settings: Any, key: str, bad: Any, good: Any, check_id: str
) -> None:
    settings.DRF_HARDENING = {key: bad}
    (message,) = checks.check_drf_hardening()
    assert message.id == f"drf_hardening.{check_id}"
    assert f"DRF_HARDENING[{key!r}] = {bad!r}" in message.msg
    assert f"the default, {DEFAULTS[key]!r}" in str(message.hint)
    settings.DRF_HARDENING = {key: good}
    assert check_ids(checks.check_drf_hardening) == []


@pytest.mark.parametrize(("key", "bad", "check_id"), MORE_BAD)
def test_more_bad_values(settings: Any, key: str, bad: Any, check_id: str) -> None:
    settings.DRF_HARDENING = {key: bad}
    assert check_ids(checks.check_drf_hardening) == [f"drf_hardening.{check_id}"]


@pytest.mark.parametrize(("key", "bad", "check_id"), BAD)
def test_a_bad_value_reads_as_the_default(settings: Any, key: str, bad: Any, check_id: str) -> None:
    settings.DRF_HARDENING = {key: bad}
    assert getattr(conf, key) == DEFAULTS[key]


@pytest.mark.parametrize(("key", "good"), [(c[0], c[2]) for c in CASES])
def test_a_good_value_is_returned_as_written(settings: Any, key: str, good: Any) -> None:
    settings.DRF_HARDENING = {key: good}
    assert getattr(conf, key) is good  # no bool(), int() or float() in between


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("TRUSTED_PROXY", "TRUSTED_PROXIES"),
        ("trusted_proxies", "TRUSTED_PROXIES"),
        ("MAX_PAGESIZE", "MAX_PAGE_SIZE"),
        ("TOKEN_TTLS", "TOKEN_TTL"),
    ],
)
def test_unknown_key_names_the_closest_one(settings: Any, typo: str, suggestion: str) -> None:
    settings.DRF_HARDENING = {typo: 1}
    (message,) = checks.check_drf_hardening()
    assert message.id == "drf_hardening.E013"
    assert f"Did you mean {suggestion!r}?" in message.msg
    assert conf.TRUSTED_PROXIES == 0  # the typo is not read


def test_unknown_key_without_a_close_one(settings: Any) -> None:
    settings.DRF_HARDENING = {"COLOUR": "blue", "THROTTLE_FAIL_OPEN": False}
    (message,) = checks.check_drf_hardening()
    assert message.id == "drf_hardening.E013"
    assert "'COLOUR'" in message.msg
    assert "Did you mean" not in message.msg
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E013"):
        call_command("check")


@pytest.mark.parametrize("value", [None, [("TRUSTED_PROXIES", 1)], "TRUSTED_PROXIES=1"])
def test_drf_hardening_that_is_not_a_dict(settings: Any, value: Any) -> None:
    settings.DRF_HARDENING = value
    (message,) = checks.check_drf_hardening()
    assert message.id == "drf_hardening.E012"
    assert type(value).__name__ in message.msg
    assert {name: getattr(conf, name) for name in KEYS} == DEFAULTS


def test_any_mapping_is_accepted(settings: Any) -> None:
    settings.DRF_HARDENING = MappingProxyType({"MAX_PAGE_SIZE": 7})
    assert check_ids(checks.check_drf_hardening) == []
    assert conf.MAX_PAGE_SIZE == 7


def test_durations_as_timedelta(settings: Any) -> None:
    assert conf.duration("TOKEN_TTL") == timedelta(days=30)
    assert conf.duration("TOKEN_IDLE_TTL") is None
    settings.DRF_HARDENING = {"TOKEN_TTL": 90, "TOKEN_LAST_USED_INTERVAL": 0.5}
    assert conf.TOKEN_TTL == 90  # as written
    assert conf.duration("TOKEN_TTL") == timedelta(seconds=90)
    assert conf.duration("TOKEN_LAST_USED_INTERVAL") == timedelta(milliseconds=500)
    settings.DRF_HARDENING = {"TOKEN_TTL": None, "TOKEN_LEGACY_TTL": "90d"}
    assert conf.duration("TOKEN_TTL") is None
    assert conf.duration("TOKEN_LEGACY_TTL") == timedelta(days=90)  # invalid: the default
    assert as_timedelta(timedelta(minutes=1)) == timedelta(minutes=1)
    assert as_timedelta(None) is None


# Request time: a bad value that was served anyway (no checks under a WSGI server) is no 500.


@pytest.fixture
def down_store(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    cache.clear()
    events._failing.clear()
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "1/min"}}

    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttling.stores.LocMemStore, "decide", broken)
    yield
    events._failing.clear()


@pytest.mark.urls("tests.urls_throttling")
@pytest.mark.django_db
@pytest.mark.parametrize("written", ["false", 0, ""])
def test_fail_open_not_a_bool_reads_as_true(
    client: Client, settings: Any, down_store: None, written: Any
) -> None:
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": written}
    assert check_ids(checks.check_drf_hardening) == ["drf_hardening.E031"]
    # The default, True: the store is down and requests are served (False would be 503s).
    assert [client.get("/user/").status_code for _ in range(2)] == [200, 200]


@pytest.mark.urls("tests.urls_throttling")
@pytest.mark.django_db
def test_ipv6_prefix_length_not_an_int_through_guard_and_throttle(
    client: Client, settings: Any
) -> None:
    cache.clear()
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, names.AUTH_GUARD_MIDDLEWARE]
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "2/min"}}
    settings.DRF_HARDENING = {"IPV6_PREFIX_LENGTH": "/64", "FAILED_AUTH_RATE": "3/min"}
    assert check_ids(checks.check_drf_hardening) == ["drf_hardening.E028"]
    # Read as the default /64: the two addresses share one bucket.
    one, two = "2001:db8:1:2::a", "2001:db8:1:2::b"
    statuses = [client.get("/user/", REMOTE_ADDR=ip).status_code for ip in (one, two, one)]
    assert statuses == [200, 200, 429]
    assert client.get("/private/", REMOTE_ADDR=two).status_code == 401  # through the guard
