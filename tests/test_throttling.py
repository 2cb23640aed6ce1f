"""The throttle classes on the test settings' LocMem cache, unit and full stack."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from rest_framework.test import APIRequestFactory

from drf_hardening import throttling
from drf_hardening.throttling import events
from tests.urls_throttling import UserView

pytestmark = [pytest.mark.urls("tests.urls_throttling"), pytest.mark.django_db]


@dataclass
class Clock:
    now: float = 1_000_000.0

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The throttles' ``timer``, replaced (DRF's documented way to test throttles)."""
    value = Clock()
    monkeypatch.setattr(throttling.SimpleRateThrottle, "timer", lambda self: value.now)
    return value


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    cache.clear()
    events._failing.clear()
    yield
    events._failing.clear()


def set_rates(settings, **rates: str | None) -> None:
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": rates}


def statuses(client: Client, n: int, url: str = "/user/", **extra: Any) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(n)]


def test_user_throttle_denies_over_limit(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="3/min")
    assert statuses(client, 5) == [200, 200, 200, 429, 429]


def test_rate_change_applies_without_restart(client: Client, settings, clock: Clock) -> None:
    # DRF binds DEFAULT_THROTTLE_RATES at import (encode/django-rest-framework#6030).
    set_rates(settings, user="1/min")
    assert statuses(client, 2) == [200, 429]
    set_rates(settings, user="3/min")
    assert statuses(client, 3) == [200, 200, 429]


def test_multiple_rate_really_means_five_minutes(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="2/5m")
    assert statuses(client, 3) == [200, 200, 429]
    clock.advance(299.999)
    assert statuses(client, 1) == [429]
    clock.advance(0.001)
    assert statuses(client, 3) == [200, 200, 429]


def test_retry_after_is_time_to_window_end(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="1/min")
    client.get("/user/")
    clock.advance(10.5)
    response = client.get("/user/")
    assert response.status_code == 429
    assert response["Retry-After"] == "50"  # 49.5 s left, rounded up, never early
    clock.advance(49.4)
    assert client.get("/user/")["Retry-After"] == "1"  # 0.1 s left: at least 1


def test_ratelimit_headers_follow_draft_10(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="3/min")
    first = client.get("/user/")
    assert first["RateLimit-Policy"] == '"user";q=3;w=60'
    assert first["RateLimit"] == '"user";r=2;t=60'
    clock.advance(42)
    client.get("/user/")
    refused = [client.get("/user/"), client.get("/user/")][-1]
    assert refused.status_code == 429
    assert refused["RateLimit"] == '"user";r=0;t=18'
    assert int(refused["Retry-After"]) >= 18


def test_ratelimit_headers_list_every_throttle(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="3/min", anon="10/h")
    response = client.get("/two/")
    assert response["RateLimit-Policy"] == '"user";q=3;w=60, "anon";q=10;w=3600'
    assert response["RateLimit"] == '"user";r=2;t=60, "anon";r=9;t=3600'


def test_ratelimit_headers_can_be_switched_off(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, user="3/min")
    settings.DRF_HARDENING = {"RATELIMIT_HEADERS": False}
    response = client.get("/user/")
    assert "RateLimit" not in response
    assert "RateLimit-Policy" not in response


def test_policy_name_is_a_structured_field_string() -> None:
    from drf_hardening.throttling.headers import policy_name

    assert policy_name('we"ird\\scope\n') == '"we_ird_scope_"'


def test_throttled_request_logs_one_event(client: Client, settings, clock, caplog) -> None:
    set_rates(settings, user="1/min", anon="1/min")
    client.get("/two/")
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        response = client.get("/two/", REMOTE_ADDR="10.1.2.3")
        response = client.get("/two/")
    assert response.status_code == 429
    events_ = [r for r in caplog.records if getattr(r, "event", None) == "throttled"]
    assert len(events_) == 1  # two throttles refused it: still one event
    record = events_[0]
    assert (record.scope, record.client_ip, record.path) == ("user", "127.0.0.1", "/two/")
    assert record.user_id is None


def test_throttled_event_names_the_user(settings, clock, caplog) -> None:
    set_rates(settings, user="1/min")
    user = User.objects.create_user("alice", password="pw-long-enough-1")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": "Basic YWxpY2U6cHctbG9uZy1lbm91Z2gtMQ=="}
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert statuses(client, 2, **auth) == [200, 429]
    (record,) = [r for r in caplog.records if getattr(r, "event", None) == "throttled"]
    assert record.user_id == user.pk


def test_users_have_their_own_buckets(settings, clock) -> None:
    set_rates(settings, user="1/min")
    factory = APIRequestFactory()
    view = UserView.as_view()
    alice = User.objects.create_user("alice")
    bob = User.objects.create_user("bob")
    from rest_framework.test import force_authenticate

    for user, expected in ((alice, 200), (alice, 429), (bob, 200)):
        request = factory.get("/user/")
        force_authenticate(request, user)
        assert view(request).status_code == expected


def test_scoped_throttle_uses_view_scope(client: Client, settings, clock: Clock) -> None:
    set_rates(settings, uploads="1/10s")
    assert statuses(client, 2, url="/scoped/") == [200, 429]
    clock.advance(10)
    assert statuses(client, 1, url="/scoped/") == [200]


def test_missing_scope_is_improperly_configured(settings) -> None:
    set_rates(settings, anon="1/min")
    with pytest.raises(ImproperlyConfigured):
        throttling.UserRateThrottle()


@pytest.mark.parametrize(("fail_open", "expected"), [(True, 200), (False, 503)])
def test_malformed_rate_at_request_time(client, settings, caplog, fail_open, expected) -> None:
    set_rates(settings, user="100/month")
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": fail_open}
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert statuses(client, 3) == [expected] * 3
    warnings = [r for r in caplog.records if "malformed" in r.getMessage()]
    assert len(warnings) == 1  # once, not per request
    assert "'100/month'" in warnings[0].getMessage()


def test_store_failure_fails_open_by_default(client, settings, monkeypatch, caplog) -> None:
    set_rates(settings, user="1/min")

    def broken(self, *args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttling.stores.LocMemStore, "decide", broken)
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        assert statuses(client, 3) == [200, 200, 200]
    assert [r.event for r in caplog.records] == ["throttle_store_unavailable"]


def test_store_failure_fails_closed_with_503(client, settings, monkeypatch) -> None:
    set_rates(settings, user="1/min")
    settings.DRF_HARDENING = {"THROTTLE_FAIL_OPEN": False}
    monkeypatch.setattr(throttling.stores.LocMemStore, "decide", lambda *a, **k: 1 / 0)
    response = client.get("/user/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"


def test_cache_attribute_of_a_subclass_wins(settings, clock) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "x"},
    }

    class OtherCacheThrottle(throttling.UserRateThrottle):
        cache = caches["other"]
        rate = "1/min"

    assert OtherCacheThrottle().get_cache() is OtherCacheThrottle.cache
    settings.DRF_HARDENING = {"THROTTLE_CACHE": "other"}
    assert throttling.AnonRateThrottle().get_cache() is caches["other"]


def test_throttle_cache_setting_selects_the_cache(client, settings, clock) -> None:
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttles": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    settings.DRF_HARDENING = {"THROTTLE_CACHE": "throttles"}
    set_rates(settings, user="1/min")
    client.get("/user/")
    assert caches["throttles"].get("throttle_user_127.0.0.1") is not None
    assert caches["default"].get("throttle_user_127.0.0.1") is None


def test_wait_is_none_before_any_decision() -> None:
    throttle = throttling.AnonRateThrottle.__new__(throttling.AnonRateThrottle)
    assert throttle.wait() is None


def test_unparsed_rate_is_none(settings) -> None:
    set_rates(settings, anon=None)
    assert throttling.AnonRateThrottle().parse_rate(None) == (None, None)


def test_no_event_is_built_when_nobody_listens(client, settings, clock, monkeypatch, caplog):
    set_rates(settings, user="1/min")
    monkeypatch.setattr(events, "log_event", lambda *a, **k: pytest.fail("event built"))
    caplog.set_level(logging.ERROR, logger="drf_hardening.security")
    assert statuses(client, 2) == [200, 429]


def anonymous_request(ip: str = "198.51.100.7") -> Any:
    request = APIRequestFactory().get("/")
    request.META["REMOTE_ADDR"] = ip
    from rest_framework.request import Request

    return Request(request)


def test_two_caches_of_one_class_have_separate_outage_episodes(settings, monkeypatch, caplog):
    settings.CACHES = {
        name: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
        for name in ("default", "a", "b")
    }
    set_rates(settings, anon="5/min")
    down: set[int] = set()  # ids of LocMem's storage, shared by the objects of a LOCATION
    real_decide = throttling.stores.LocMemStore.decide

    def decide(self, *args, **kwargs):
        if id(self.cache._cache) in down:
            raise ConnectionError("cache down")
        return real_decide(self, *args, **kwargs)

    monkeypatch.setattr(throttling.stores.LocMemStore, "decide", decide)
    a, b = caches["a"], caches["b"]
    own_a: Any = type("OwnA", (throttling.AnonRateThrottle,), {"cache": a})
    own_b: Any = type("OwnB", (throttling.AnonRateThrottle,), {"cache": b})
    down.update({id(a._cache), id(b._cache)})  # type: ignore[attr-defined]
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        for alias in ("a", "b", "a"):  # two aliases: two episodes, each warned once
            settings.DRF_HARDENING = {"THROTTLE_CACHE": alias}
            assert throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
        for cls in (own_a, own_b, own_b):  # two caches a subclass brings: two more
            assert cls().allow_request(anonymous_request(), None)
        down.discard(id(a._cache))  # type: ignore[attr-defined]
        settings.DRF_HARDENING = {"THROTTLE_CACHE": "a"}
        assert throttling.AnonRateThrottle().allow_request(anonymous_request(), None)  # type: ignore[arg-type]
    logged = [(r.event, r.throttle_store) for r in caplog.records]
    own = [f"cache LocMemCache at {id(cls.cache):#x}" for cls in (own_a, own_b)]
    assert logged == [
        ("throttle_store_unavailable", "cache 'a'"),
        ("throttle_store_unavailable", "cache 'b'"),
        ("throttle_store_unavailable", own[0]),
        ("throttle_store_unavailable", own[1]),
        ("throttle_store_recovered", "cache 'a'"),
    ]


def test_throttle_settles_the_guards_reservation_once_authenticated(settings) -> None:
    from drf_hardening.throttling.counting import PENDING, reserve
    from drf_hardening.throttling.guard import FailedAuthThrottle

    set_rates(settings, anon="5/min")
    guard = FailedAuthThrottle()
    for _ in range(2):
        reserve(guard, "guard-key")
    _, reservation = reserve(guard, "guard-key")
    request = anonymous_request()
    setattr(request._request, PENDING, reservation)
    # Not authenticated (no authenticator took the credentials): left for the guard.
    assert throttling.AnonRateThrottle().allow_request(request, None)  # type: ignore[arg-type]
    assert getattr(request._request, PENDING) is reservation
    request._authenticator = object()  # an authenticator took them
    assert throttling.AnonRateThrottle().allow_request(request, None)  # type: ignore[arg-type]
    assert PENDING not in request._request.__dict__
    assert cache.get("guard-key") & 0xFFFFFFFF == 2  # one of the three given back
    assert cache.get("throttle_anon_198.51.100.7") & 0xFFFFFFFF == 2  # both decisions counted
