"""DRF's throttling tests again, with the throttle store on a real Redis.

The classes come from ``test_drf_throttling`` (DRF's file, imported with our
classes swapped in); ``redis_cache`` points ``CACHES["default"]`` at the
session's redis-server, so every decision runs the Lua script.
"""

from __future__ import annotations

import pytest
from rest_framework import throttling as drf_throttling

from drf_hardening import throttling
from tests.drf_suite import test_drf_throttling as drf

pytestmark = [pytest.mark.redis, pytest.mark.usefixtures("redis_cache")]


class TestThrottlingOnRedis(drf.ThrottlingTests):
    pass


class TestScopedRateThrottleOnRedis(drf.ScopedRateThrottleTests):
    pass


class TestXffOnRedis(drf.XffSpoofingTests):
    pass


class TestXffUniqueMachinesOnRedis(drf.XffUniqueMachinesTest):
    pass


def test_suite_runs_against_drf_hardening_classes() -> None:
    # vars(): the names DRF's module bound at import, which it does not re-export.
    assert vars(drf)["UserRateThrottle"] is throttling.UserRateThrottle
    assert vars(drf)["SimpleRateThrottle"] is throttling.SimpleRateThrottle
    assert issubclass(drf.User3SecRateThrottle, throttling.UserRateThrottle)
    # ...and DRF's own module is left as it was.
    assert drf_throttling.UserRateThrottle is not throttling.UserRateThrottle
