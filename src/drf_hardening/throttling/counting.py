"""The one counting step, shared by every throttle and the failed-auth guard.

It reads the clock, counts on the store (or only looks), reports a malformed
rate or a store outage once per episode, and returns the ``Decision``; the
caller decides what an unavailable store means (``THROTTLE_FAIL_OPEN``), and
how to answer a refusal.

It runs on every request, so it is measured against its floor
(``benchmarks/throttle_bench.py``): each function call on this path shows up
in the numbers, which is why the lookups are written out here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework import throttling

from drf_hardening.conf import conf
from drf_hardening.throttling import episodes, events, stores
from drf_hardening.throttling.stores import Decision, Store, default_store, find_store

if TYPE_CHECKING:
    from drf_hardening.throttling.throttles import SimpleRateThrottle

#: DRF's class attribute: a throttle whose ``cache`` is still this one counts on THROTTLE_CACHE.
DRF_DEFAULT_CACHE = throttling.SimpleRateThrottle.cache


def count(throttle: SimpleRateThrottle, key: str, hit: bool = True) -> Decision | None:
    """Count a request of ``throttle`` on ``key`` (``hit=False``: only look).

    ``None`` when the rate is malformed or the store failed; each is logged
    once, when it starts (a store's recovery once too, when it ends).
    ``throttling.aio.acount`` is the same step from async code.
    """
    step = prepare(throttle)
    if step is None:
        return None
    store, name, limit, period_ms, now_ms = step
    try:
        decision = store.decide(key, limit, period_ms, now_ms, hit)
    except Exception as exc:  # a store outage must never become a 500
        failed(store, name, key, exc)
        return None
    if events.failing:  # else nothing can have recovered: no call
        events.report_success(episodes.ended(store, name, key))
    return decision


def prepare(throttle: SimpleRateThrottle) -> tuple[Store, str, int, int, int] | None:
    """What a decision needs: the store, its name, limit, period and now (ms); ``None``: malformed.

    Reads the clock (``throttle.now``), as DRF's ``allow_request`` does.
    """
    now = throttle.now = throttle.timer()
    limit, duration = throttle.num_requests, throttle.duration
    if limit is None or duration is None:
        # The system checks (drf_hardening.E020-E022) report this before any request.
        events.report_failure(
            f"rate of scope {throttle.scope!r}",
            f"Throttle rate {throttle.rate!r} of scope {throttle.scope!r} is malformed "
            f"({throttle.rate_error}); THROTTLE_FAIL_OPEN decides every request of it.",
        )
        return None
    cache = throttle.cache
    if cache is DRF_DEFAULT_CACHE:  # THROTTLE_CACHE: default_store(), without the call
        found = getattr(stores.per_thread, "default", None)
        store, name = found[1] if found and found[0] == stores.generation else default_store()
    else:
        store, name = find_store(cache)
    return store, name, limit, duration * 1000, int(now * 1000)


def failed(store: Store, name: str, key: str, exc: Exception) -> None:
    """Report a store that failed on ``key``, once per episode (per node on a cluster)."""
    outcome = "allowed" if conf.THROTTLE_FAIL_OPEN else "refused"
    where = episodes.failed(store, name, key)
    events.report_failure(
        where,
        f"Throttle store ({where}) failed; requests are {outcome} until it answers "
        "(THROTTLE_FAIL_OPEN).",
        exc,
    )
