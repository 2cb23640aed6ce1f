"""Run DRF's own throttling tests against drf-hardening's classes.

``test_drf_throttling.py`` is DRF's ``tests/test_throttling.py``, unchanged.
While pytest imports it (and ``test_drf_throttling_redis.py``, which reruns
its classes on a real Redis), ``rest_framework.throttling`` hands out our
classes, so the module's ``from rest_framework.throttling import ...`` binds
them; DRF's own module is restored right after.

Adaptations, each for a reason given in docs/throttling.md:
- ``config_proxy(n)`` sets DRF's ``NUM_PROXIES``; our classes read
  ``DRF_HARDENING["TRUSTED_PROXIES"]``, so it sets that (undone after the test);
- ``DIFFERENCES`` are marked ``xfail(strict=True)``: they must keep failing.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from rest_framework import throttling as drf_throttling

from drf_hardening import throttling

SWAPPED = ["SimpleRateThrottle", "AnonRateThrottle", "UserRateThrottle", "ScopedRateThrottle"]
MODULES = {"test_drf_throttling.py", "test_drf_throttling_redis.py"}

#: Test name -> why drf-hardening deliberately differs (docs/throttling.md).
DIFFERENCES = {
    "test_wait_returns_correct_waiting_time_without_history": (
        "no timestamp history is kept (constant memory per key): wait() comes from "
        "the window's end, not from DRF's `history` list"
    ),
    "test_get_cache_key_returns_correct_value": (
        "a request without a valid REMOTE_ADDR is keyed 'unknown', not the string 'None'"
    ),
}


@contextlib.contextmanager
def drf_hardening_classes() -> Iterator[None]:
    saved = {name: getattr(drf_throttling, name) for name in SWAPPED}
    try:
        for name in SWAPPED:
            setattr(drf_throttling, name, getattr(throttling, name))
        yield
    finally:
        for name, cls in saved.items():
            setattr(drf_throttling, name, cls)


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    if isinstance(collector, pytest.Module) and collector.path.name in MODULES:
        with drf_hardening_classes():
            report = yield
        xff_base = getattr(collector.obj, "XffTestingBase", None)
        if xff_base is not None:
            xff_base.config_proxy = config_proxy
        return report
    return (yield)


def config_proxy(self: Any, num_proxies: int) -> None:
    """DRF's ``NUM_PROXIES`` is ``TRUSTED_PROXIES`` for our classes."""
    override = override_settings(DRF_HARDENING={"TRUSTED_PROXIES": num_proxies})
    override.enable()
    self.addCleanup(override.disable)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in MODULES and item.name in DIFFERENCES:
            item.add_marker(pytest.mark.xfail(reason=DIFFERENCES[item.name], strict=True))


@pytest.fixture(autouse=True)
def _reset_class_state() -> Iterator[None]:
    """Undo what DRF's tests leave on classes, so each test runs twice in any order."""
    yield
    # SimpleRateThrottleTests assigns SimpleRateThrottle.scope and never puts it back.
    throttling.SimpleRateThrottle.scope = None
    # NonTimeThrottle records its first call on its class, for the rest of the process.
    module = sys.modules.get("tests.drf_suite.test_drf_throttling")
    with contextlib.suppress(AttributeError):
        del module.NonTimeThrottle.called  # type: ignore[union-attr]
