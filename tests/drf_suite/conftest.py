"""Run DRF's own throttling tests against drf-hardening's classes.

``test_drf_throttling.py`` is DRF's ``tests/test_throttling.py``, unchanged.
While pytest imports it (and ``test_drf_throttling_redis.py``, which reruns
its classes on a real Redis), ``rest_framework.throttling`` hands out our
classes, so the module's ``from rest_framework.throttling import ...`` binds
them; DRF's own module is restored right after.

DRF's ``config_proxy(n)`` sets ``api_settings.NUM_PROXIES``, which our classes
honour while ``DRF_HARDENING["TRUSTED_PROXIES"]`` is unset, as DRF's do; it
never puts the value back, so ``_reset_class_state`` does. The one adaptation:
``DIFFERENCES`` (docs/throttling.md) are marked ``xfail(strict=True)``, so they
must keep failing.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework import throttling as drf_throttling
from rest_framework.settings import api_settings

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
        return report
    return (yield)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in MODULES and item.name in DIFFERENCES:
            item.add_marker(pytest.mark.xfail(reason=DIFFERENCES[item.name], strict=True))


@pytest.fixture(autouse=True)
def _reset_class_state() -> Iterator[None]:
    """Undo what DRF's tests leave behind, so each test runs twice in any order."""
    # Read once, so that reload() below also drops what config_proxy() assigns over it.
    api_settings.NUM_PROXIES  # noqa: B018
    yield
    api_settings.reload()
    # SimpleRateThrottleTests assigns SimpleRateThrottle.scope and never puts it back.
    throttling.SimpleRateThrottle.scope = None
    # NonTimeThrottle records its first call on its class, for the rest of the process.
    # Both modules of this folder import DRF's, so it is loaded whenever this fixture runs.
    module = sys.modules["tests.drf_suite.test_drf_throttling"]
    with contextlib.suppress(AttributeError):
        del module.NonTimeThrottle.called
