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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from rest_framework import throttling

from drf_hardening.conf import conf
from drf_hardening.throttling import episodes, events, stores
from drf_hardening.throttling.stores import Decision, Store, default_store, find_store

if TYPE_CHECKING:
    from drf_hardening.throttling.throttles import SimpleRateThrottle

#: DRF's class attribute: a throttle whose ``cache`` is still this one counts on THROTTLE_CACHE.
DRF_DEFAULT_CACHE = throttling.SimpleRateThrottle.cache
#: Where DRF's ``Request`` keeps the authenticator that took the credentials, once it has
#: authenticated. Private, but its public ``successful_authenticator`` would authenticate
#: when it has not yet, and the library's Basic authentication counts (through a throttle)
#: while it authenticates: drf_hardening.W086 checks at start-up that DRF still sets it.
DRF_AUTHENTICATOR = "_authenticator"
#: The attribute of a Django request holding the guard's ``Reservation`` until it is settled.
PENDING = "_drf_hardening_reservation"


class Reservation(NamedTuple):
    """One attempt the failed-auth guard counted before the view, to give back on success."""

    store: Store
    name: str
    key: str
    start_ms: int  # the window it was counted in: a release never reaches another one
    period_ms: int
    timer: Callable[[], float]  # the guard's clock, which judges whether that window is over


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


def store_of(throttle: SimpleRateThrottle) -> tuple[Store, str]:
    """The store ``count`` counts ``throttle`` on, and its name."""
    if throttle.cache is DRF_DEFAULT_CACHE:
        return default_store()
    return find_store(throttle.cache)


def reserve(throttle: SimpleRateThrottle, key: str) -> tuple[Decision | None, Reservation | None]:
    """Count an attempt on ``key`` now, in one step; the ``Reservation`` when it was allowed."""
    decision = count(throttle, key)
    return decision, reservation_of(throttle, key, decision)


def reservation_of(
    throttle: SimpleRateThrottle, key: str, decision: Decision | None
) -> Reservation | None:
    """What ``reserve`` (or ``aio.areserve``) counted, to give back; ``None`` when refused."""
    if decision is None or not decision.allowed:
        return None
    period_ms = (throttle.duration or 0) * 1000  # set: the count returned a decision
    # Every store answers reset_ms = window start + period - now, exactly.
    start_ms = int(throttle.now * 1000) + decision.reset_ms - period_ms
    store, name = store_of(throttle)
    return Reservation(store, name, key, start_ms, period_ms, throttle.timer)


def release(reservation: Reservation) -> None:
    """Give the reserved attempt back; an outage is logged, never raised."""
    store, name, key, start_ms, period_ms, timer = reservation
    try:
        store.release(key, start_ms, period_ms, int(timer() * 1000))
    except Exception as exc:  # the attempt stays counted: the safe side
        failed(store, name, key, exc)


def count_releasing(throttle: SimpleRateThrottle, key: str, request: Any) -> Decision | None:
    """``count``, settling the guard's reservation of ``request`` on the way.

    Authentication succeeded (an authenticator took the credentials): the
    reserved attempt goes back in the same round trip as this decision when
    both keys are on one Redis store (a pipeline), else right after it. Not
    authenticated (yet): the guard settles it after the response.
    """
    if getattr(request, DRF_AUTHENTICATOR, None) is None:
        return count(throttle, key)
    reservation: Reservation = getattr(request, "_request", request).__dict__.pop(PENDING)
    store, name = store_of(throttle)
    both = getattr(store, "decide_releasing", None)  # RedisStore's pipeline
    limit, duration = throttle.num_requests, throttle.duration
    if (
        store is not reservation.store
        or both is None
        or limit is None
        or duration is None
        or reservation.timer() * 1000 >= reservation.start_ms + reservation.period_ms
    ):  # two stores, not Redis, a malformed rate, or that window is over (nothing to give)
        counted = count(throttle, key)
        release(reservation)
        return counted
    now = throttle.now = throttle.timer()
    try:
        decision: Decision = both(
            key, limit, duration * 1000, int(now * 1000), reservation.key, reservation.start_ms
        )
    except Exception as exc:  # an outage, as in count() (the release ran, unless it failed too)
        failed(store, name, key, exc)
        return None
    # No report_success(): reserve() just succeeded on this store, and reported it.
    return decision
