"""Checks of throttling and client identity.

Ids: ``drf_hardening.E020``-``E039`` (wrong) and ``W020``-``W039`` (risky),
continued at ``E120``-``E139``; each is listed in docs/checks.md. The values of
the ``DRF_HARDENING`` keys (rates, ``THROTTLE_CACHE``, ``TRUSTED_PROXIES`` and
``NUM_PROXIES`` standing in for it) are checked by ``drf_hardening.checks.conf``;
this module judges what they point at.
"""

from __future__ import annotations

from inspect import iscoroutinefunction
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from drf_hardening.checks._common import Messages, rest_framework_settings
from drf_hardening.conf import conf
from drf_hardening.throttling.rates import parse_rate

RATES = 'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]'
RATE_HINT = "Write '<requests>/<period>', e.g. '100/minute', '50/min', '100/5m' or '1000/12h'."
DUMMY = "django.core.cache.backends.dummy.DummyCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
NOT_ATOMIC = (
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.filebased.FileBasedCache",
)


def _bad_rate(rate: Any) -> str | None:
    try:
        parse_rate(rate)
    except ValueError as exc:
        return str(exc)
    return None


def check_throttle_rates(**kwargs: Any) -> Messages:
    rates = rest_framework_settings().get("DEFAULT_THROTTLE_RATES") or {}
    messages: Messages = []
    for scope, rate in rates.items() if isinstance(rates, dict) else ():
        problem = None if rate is None else _bad_rate(rate)
        if problem:
            messages.append(
                Error(
                    f"{RATES}[{scope!r}] = {rate!r} is not a valid throttle rate: {problem}.",
                    hint=RATE_HINT + " DRF would misread or crash on it at request time.",
                    id="drf_hardening.E020",
                )
            )
    return messages


def check_throttle_cache(**kwargs: Any) -> Messages:
    # An alias missing from CACHES is drf_hardening.E023 (checks.conf); conf then
    # serves "default", which is what is judged here, as it is what requests use.
    alias = conf.THROTTLE_CACHE
    caches = getattr(settings, "CACHES", {})
    if alias not in caches:
        return []  # no default cache: Django's own check reports it
    backend = str(caches[alias].get("BACKEND", ""))
    if backend == DUMMY:
        return [
            Error(
                f"The throttle cache CACHES[{alias!r}] is DummyCache: it stores nothing, so "
                "no request is ever throttled.",
                hint="Use Redis (or memcached) for throttling; set "
                'DRF_HARDENING["THROTTLE_CACHE"] to another alias if this one must stay dummy.',
                id="drf_hardening.E024",
            )
        ]
    if backend in NOT_ATOMIC:
        return [
            Warning(
                f"The throttle cache CACHES[{alias!r}] is {backend}, which has no atomic "
                "increment: limits are exact within one process only, and concurrent "
                "workers can exceed them.",
                hint="Use Redis (django.core.cache.backends.redis.RedisCache) or memcached.",
                id="drf_hardening.W025",
            )
        ]
    if backend == LOCMEM and conf.PROFILE == "production":
        return [
            Warning(
                f"The throttle cache CACHES[{alias!r}] is LocMemCache: each worker process "
                "counts on its own, so every limit is multiplied by the number of workers.",
                hint="Use Redis (django.core.cache.backends.redis.RedisCache) in production.",
                id="drf_hardening.W026",
            )
        ]
    return []


def _throttle_classes() -> list[tuple[str, Any]]:
    """``(path as written, class)`` of each importable ``DEFAULT_THROTTLE_CLASSES`` entry."""
    paths = rest_framework_settings().get("DEFAULT_THROTTLE_CLASSES") or ()
    if not isinstance(paths, list | tuple):
        return []  # a bare string is drf_hardening.E011
    classes = []
    for path in paths:
        try:
            cls = import_string(path) if isinstance(path, str) else path
        except (ImportError, ValueError):
            continue  # DRF reports an unimportable class itself, on the first request
        classes.append(
            (path if isinstance(path, str) else f"{cls.__module__}.{cls.__qualname__}", cls)
        )
    return classes


def check_drf_throttles(**kwargs: Any) -> Messages:
    messages: Messages = []
    rates = rest_framework_settings().get("DEFAULT_THROTTLE_RATES") or {}
    for name, cls in _throttle_classes():
        if cls.__module__ == "rest_framework.throttling":
            messages.append(
                Warning(
                    f'REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] uses {name}, which is not '
                    "atomic: concurrent requests exceed its limit "
                    "(encode/django-rest-framework#5181).",
                    hint=f"Use drf_hardening.throttling.{cls.__qualname__}: same API.",
                    id="drf_hardening.W029",
                )
            )
        if iscoroutinefunction(getattr(cls, "allow_request", None)):
            messages.append(
                Error(
                    f'REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] has {name}, whose '
                    "allow_request is a coroutine function: DRF's APIView calls it without "
                    "awaiting it, and a coroutine is true, so every sync view would let every "
                    "request through.",
                    hint="Keep the sync classes (drf_hardening.throttling.*) in "
                    "DEFAULT_THROTTLE_CLASSES; set the async ones as the throttle_classes of "
                    'adrf views (docs/scaling.md, "adrf views").',
                    id="drf_hardening.E120",
                )
            )
        scope = getattr(cls, "scope", None)
        # LoginRateThrottle falls back to LOGIN_RATE; a class with its own rate needs none.
        needs_rate = isinstance(scope, str) and not getattr(cls, "rate", None)
        if needs_rate and scope != "login" and scope not in rates:
            messages.append(
                Error(
                    f"{name} has scope {scope!r}, which {RATES} does not define: "
                    "every request would fail with ImproperlyConfigured.",
                    hint=f"Add {scope!r}: '100/minute' (or None to disable) to {RATES}.",
                    id="drf_hardening.E030",
                )
            )
    return messages


CHECKS = [
    check_throttle_rates,
    check_throttle_cache,
    check_drf_throttles,
]
