"""Sentinel failover: THROTTLE_FAIL_OPEN during the switch, exact again after it, no restart."""

from __future__ import annotations

import logging

import pytest
import redis
from django.test import Client

from drf_hardening.throttling import events
from tests.topologies import sentinel_set_fixture, wait_until  # noqa: F401 - the fixture

pytestmark = [pytest.mark.redis, pytest.mark.urls("tests.urls_throttling"), pytest.mark.django_db]


def test_sentinel_failover_fails_open_then_counts_again(sentinel_set, settings, caplog) -> None:
    settings.DRF_HARDENING = {
        "THROTTLE_STORE": {"SENTINELS": sentinel_set.sentinels, "SERVICE_NAME": "mymaster"}
    }
    settings.REST_FRAMEWORK = {"NUM_PROXIES": 0, "DEFAULT_THROTTLE_RATES": {"user": "3/min"}}
    events._failing.clear()
    client = Client()
    assert [client.get("/user/").status_code for _ in range(4)] == [200, 200, 200, 429]
    sentinel = redis.Redis(port=sentinel_set.sentinel_ports[0])
    old = sentinel_set.primary_port
    with caplog.at_level(logging.WARNING, logger="drf_hardening.security"):
        sentinel_set.processes.stop(old)  # the primary dies
        during: list[int] = []

        def promoted() -> bool:
            during.append(client.get("/user/", REMOTE_ADDR="198.51.100.9").status_code)
            address = sentinel.execute_command("SENTINEL GET-MASTER-ADDR-BY-NAME mymaster")  # type: ignore[no-untyped-call]
            return bool(int(address[1]) != old)

        wait_until(promoted, "no replica was promoted", timeout=30)
        sentinel_set.primary_port, sentinel_set.replica_port = sentinel_set.replica_port, old
        # The new primary answers: the client follows it, with no restart.
        wait_until(
            lambda: (
                client.get("/user/", REMOTE_ADDR="192.0.2.1").status_code == 200
                and not events.failing
            ),
            "the store did not recover",
            timeout=30,
        )
    assert during
    assert set(during) <= {200, 429}  # THROTTLE_FAIL_OPEN=True: never a 5xx
    unavailable = [
        r for r in caplog.records if getattr(r, "event", "") == "throttle_store_unavailable"
    ]
    assert len(unavailable) == 1  # one warning for the whole episode
    codes = [client.get("/user/", REMOTE_ADDR="192.0.2.2").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]  # exact again on the promoted replica
    events._failing.clear()
