"""Faults under load: Redis stops and comes back, a worker is replaced.

Each fault test runs a load in a background thread and injects the fault when
the access log shows that part of the load has been answered, so the fault
always falls inside the run, whatever the speed of the machine.
"""

from __future__ import annotations

import json
import os
import signal
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.components import wait_until
from tests.e2e.conftest import ANON_RATE_LIMIT, E2E_MARKS, Stack, production_env
from tests.e2e.load import Outcome, run_load
from tests.e2e.paths import ANON_THROTTLED, TASKS
from tests.services import RedisServer, running_redis

pytestmark = E2E_MARKS

#: The fault stacks' tasks rate is out of reach, so a 429 or 503 in a fault run
#: can only come from the outage; the anonymous rate checks that throttling resumed.
FAULT_RATES = f"tasks=100000/day,user=100000/day,anon={ANON_RATE_LIMIT}/hour"
LOAD = 240  # requests per fault run
#: The most "throttle store unavailable" warnings a worker may log for one outage.
WARNINGS_PER_WORKER = 5


@pytest.fixture(scope="module")
def fault_redis() -> Iterator[RedisServer]:
    """A Redis of this module's own: stopping it must not disturb the other tests' stack."""
    with running_redis() as server:
        yield server


@pytest.fixture
def redis_up(fault_redis: RedisServer) -> RedisServer:
    fault_redis.ensure_running()  # a failed test may have left it stopped
    fault_redis.flush()
    return fault_redis


@pytest.fixture(scope="module")
def fail_open_stack(make_stack: Callable[..., Stack], fault_redis: RedisServer) -> Stack:
    env = production_env(
        REDIS_URL=fault_redis.url,
        DRF_HARDENING_THROTTLE_FAIL_OPEN="1",
        EXAMPLE_THROTTLE_RATES=FAULT_RATES,
    )
    return make_stack(env, workers=2)


@pytest.fixture(scope="module")
def fail_closed_stack(make_stack: Callable[..., Stack], fault_redis: RedisServer) -> Stack:
    env = production_env(
        REDIS_URL=fault_redis.url,
        DRF_HARDENING_THROTTLE_FAIL_OPEN="0",
        EXAMPLE_THROTTLE_RATES=FAULT_RATES,
    )
    return make_stack(env, workers=2)


def load_with_fault(
    stack: Stack, inject: Callable[[], None], recover: Callable[[], None] | None = None
) -> list[Outcome]:
    """Run ``LOAD`` task-list requests; ``inject`` at 1/4 of them, ``recover`` at 1/2."""
    marker = uuid.uuid4().hex
    with ThreadPoolExecutor(max_workers=1) as background:
        running = background.submit(
            run_load,
            f"{stack.nginx.https_url}{TASKS}?{marker}",
            total=LOAD,
            concurrency=4,
            headers=lambda i: stack.auth(),
            context=stack.nginx.ssl_context(),
            pause=0.005,
        )
        stack.gunicorn.entries_for(marker, LOAD // 4)
        inject()
        if recover is not None:
            stack.gunicorn.entries_for(marker, LOAD // 2)
            recover()
        return running.result(timeout=120)


def anonymous_burst(stack: Stack) -> Counter[int]:
    outcomes = run_load(
        f"{stack.nginx.https_url}{ANON_THROTTLED}",
        total=ANON_RATE_LIMIT + 10,
        concurrency=4,
        context=stack.nginx.ssl_context(),
    )
    return Counter(outcome.status for outcome in outcomes)


def warnings_since(stack: Stack, offset: int) -> list[str]:
    lines = stack.gunicorn.log_text()[offset:].splitlines()
    return [line for line in lines if " WARNING drf_hardening" in line]


def test_redis_outage_fail_open_keeps_serving(
    fail_open_stack: Stack, redis_up: RedisServer
) -> None:
    stack = fail_open_stack
    workers = stack.gunicorn.worker_pids()
    log_offset = len(stack.gunicorn.log_text())

    outcomes = load_with_fault(stack, inject=redis_up.stop, recover=redis_up.start)

    assert Counter(outcome.status for outcome in outcomes) == {200: LOAD}
    warnings = warnings_since(stack, log_offset)
    assert 1 <= len(warnings) <= WARNINGS_PER_WORKER * len(workers), warnings
    # Throttling resumed in the same workers, with nothing restarted.
    assert anonymous_burst(stack) == {200: ANON_RATE_LIMIT, 429: 10}
    assert stack.gunicorn.worker_pids() == workers


def test_redis_outage_fail_closed_refuses_with_json(
    fail_closed_stack: Stack, redis_up: RedisServer
) -> None:
    stack = fail_closed_stack
    workers = stack.gunicorn.worker_pids()

    outcomes = load_with_fault(stack, inject=redis_up.stop, recover=redis_up.start)

    statuses = Counter(outcome.status for outcome in outcomes)
    refused = [outcome for outcome in outcomes if outcome.status != 200]
    assert set(statuses) <= {200, 429, 503}, statuses
    assert refused, "no request was refused while Redis was down"
    assert statuses[200] >= LOAD // 2  # before the outage and after Redis came back
    for outcome in refused:
        assert outcome.headers["content-type"] == "application/json"
        assert json.loads(outcome.body)["error"]["status"] == outcome.status
    assert anonymous_burst(stack) == {200: ANON_RATE_LIMIT, 429: 10}
    assert stack.gunicorn.worker_pids() == workers


@pytest.mark.parametrize("restart", ["sigterm-one-worker", "sighup-master"])
def test_worker_restart_mid_run_no_5xx(stack: Stack, restart: str) -> None:
    before = stack.gunicorn.worker_pids()

    def inject() -> None:
        if restart == "sigterm-one-worker":
            os.kill(before[0], signal.SIGTERM)
        else:
            stack.gunicorn.reload()

    outcomes = load_with_fault(stack, inject)

    statuses = Counter(outcome.status for outcome in outcomes)
    # The tasks scope allows 50; the rest are 429. Nothing is a 5xx or a dropped connection.
    assert set(statuses) <= {200, 429}, statuses
    # The restart did happen: the signalled workers were replaced by new ones.
    replaced = {before[0]} if restart == "sigterm-one-worker" else set(before)

    def done() -> bool:
        after = stack.gunicorn.worker_pids()
        return len(after) == len(before) and not replaced & set(after)

    wait_until(done, 30, f"workers {replaced} not replaced")
