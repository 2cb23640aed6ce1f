"""FailedAuthGuardMiddleware under ASGI: the same steps as the sync path, counted on the loop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services import free_port
from tests.test_asgi import basic, clean, statuses  # noqa: F401 - clean: the autouse fixture

pytestmark = [pytest.mark.urls("tests.urls_asgi"), pytest.mark.django_db]


@pytest.fixture
def guarded(settings: Any) -> None:
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min"}


def test_async_guard_refuses_after_the_failures(guarded) -> None:
    wrong = basic("alice", "wrong")
    assert statuses("/async/private/", 3, credentials=wrong) == [401, 401, 429]
    assert statuses("/async/private/", 1, credentials=wrong, ip="192.0.2.1") == [401]


def test_async_guard_counts_nothing_without_credentials(guarded) -> None:
    assert statuses("/async/private/", 3) == [401] * 3  # Basic's challenge, never counted


def test_async_guard_off_when_the_rate_is_none(guarded, settings) -> None:
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": None}
    assert statuses("/async/private/", 3, credentials=basic("a", "b")) == [401] * 3


@pytest.mark.parametrize(("fail_open", "expected"), [(True, 401), (False, 503)])
def test_async_guard_with_its_store_down(guarded, settings, fail_open, expected) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    settings.DRF_HARDENING = {
        "FAILED_AUTH_RATE": "2/min",
        "THROTTLE_STORE": {"URL": dead},
        "THROTTLE_FAIL_OPEN": fail_open,
    }
    assert statuses("/async/private/", 3, credentials=basic("a", "b")) == [expected] * 3
