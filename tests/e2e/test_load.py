"""Rate limits under concurrent load: four gunicorn workers share one Redis.

DRF's own throttles read a history, add to it and write it back, so
concurrent requests overwrite each other's entries and let more through than
the rate (encode/django-rest-framework#5181). These tests send many more
requests than the limit, at once, and count the answers exactly.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter

from tests.e2e.conftest import ANON_RATE_LIMIT, E2E_MARKS, Stack
from tests.e2e.load import run_load
from tests.e2e.paths import ANON_THROTTLED, TASKS

pytestmark = E2E_MARKS

TASKS_LIMIT = 50  # EXAMPLE_THROTTLE_RATES tasks=50/day (tests/e2e/conftest.py)


def test_scoped_rate_exact_across_four_workers(stack: Stack) -> None:
    total = 4 * TASKS_LIMIT
    marker = uuid.uuid4().hex

    outcomes = run_load(
        f"{stack.nginx.https_url}{TASKS}?{marker}",
        total=total,
        concurrency=16,
        headers=lambda i: stack.auth(),
        context=stack.nginx.ssl_context(),
    )

    statuses = Counter(outcome.status for outcome in outcomes)
    assert statuses == {200: TASKS_LIMIT, 429: total - TASKS_LIMIT}, statuses
    refused = [outcome for outcome in outcomes if outcome.status == 429]
    # DRF's Retry-After is whole seconds; within a day, at most one day away.
    assert all(0 < int(outcome.headers["retry-after"]) <= 86400 for outcome in refused)
    assert all(json.loads(outcome.body)["error"]["status"] == 429 for outcome in refused)
    # The allowed requests were spread over the workers: the limit held across processes.
    entries = stack.gunicorn.entries_for(marker, total)
    served = {entry.pid for entry in entries if entry.status == 200}
    assert len(served) >= 2, served


def test_spoofed_forwarded_for_shares_real_client_bucket(stack: Stack) -> None:
    # Anonymous clients, each request claiming another address; nginx replaces the
    # header with the real one, so all of them count in 127.0.0.1's bucket.
    total = 4 * ANON_RATE_LIMIT

    outcomes = run_load(
        f"{stack.nginx.https_url}{ANON_THROTTLED}",
        total=total,
        concurrency=16,
        headers=lambda i: {"X-Forwarded-For": f"203.0.113.{i % 250}, 10.{i % 250}.0.1"},
        context=stack.nginx.ssl_context(),
    )

    statuses = Counter(outcome.status for outcome in outcomes)
    assert statuses == {200: ANON_RATE_LIMIT, 429: total - ANON_RATE_LIMIT}, statuses
