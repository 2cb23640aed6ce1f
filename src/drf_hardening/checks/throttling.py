"""Checks of throttling and client identity.

Ids: ``drf_hardening.E020``-``E039`` (wrong) and ``W020``-``W039`` (risky);
each is listed in docs/checks.md.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
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


def check_guard_rates(**kwargs: Any) -> Messages:
    messages: Messages = []
    for name, rate, ident in (
        ("LOGIN_RATE", conf.LOGIN_RATE, "drf_hardening.E021"),
        ("FAILED_AUTH_RATE", conf.FAILED_AUTH_RATE, "drf_hardening.E022"),
    ):
        problem = None if rate is None and name == "FAILED_AUTH_RATE" else _bad_rate(rate)
        if problem:
            messages.append(
                Error(
                    f'DRF_HARDENING["{name}"] = {rate!r} is not a valid rate: {problem}.',
                    hint=RATE_HINT
                    + (" None switches the guard off." if name == "FAILED_AUTH_RATE" else ""),
                    id=ident,
                )
            )
    return messages


def check_throttle_cache(**kwargs: Any) -> Messages:
    alias = conf.THROTTLE_CACHE
    caches = getattr(settings, "CACHES", {})
    if alias not in caches:
        return [
            Error(
                f'DRF_HARDENING["THROTTLE_CACHE"] = {alias!r} is not an alias of CACHES '
                f"({', '.join(map(repr, caches)) or 'none defined'}).",
                hint="Name one of the CACHES aliases, or add that cache.",
                id="drf_hardening.E023",
            )
        ]
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


def check_trusted_proxies(**kwargs: Any) -> Messages:
    value: Any = conf.TRUSTED_PROXIES  # as written, whatever its type
    error = None
    if isinstance(value, str):
        return []  # a bare string is drf_hardening.E011 (a list must be a list)
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        error = "a count must be an int >= 0"
    elif not isinstance(value, int | Sequence):
        error = "it must be an int (a count of proxies) or a list of addresses/CIDRs"
    elif not isinstance(value, int):
        for entry in value:
            try:
                ipaddress.ip_network(str(entry).strip(), strict=False)
            except ValueError:
                error = f"{entry!r} is not an IP address or CIDR block"
                break
    if error is None:
        return []
    return [
        Error(
            f'DRF_HARDENING["TRUSTED_PROXIES"] = {value!r} is malformed: {error}.',
            hint="Use 0 when Django is reached directly, the number of proxies in front of "
            "it (e.g. 1), or their addresses, e.g. ['10.0.0.0/8']. Until fixed, "
            "X-Forwarded-For is ignored.",
            id="drf_hardening.E027",
        )
    ]


def check_ipv6_prefix(**kwargs: Any) -> Messages:
    value = conf.user_settings.get("IPV6_PREFIX_LENGTH", 64)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 128:
        return []
    return [
        Error(
            f'DRF_HARDENING["IPV6_PREFIX_LENGTH"] = {value!r} must be an int from 1 to 128.',
            hint="64 (the default) groups each IPv6 /64, what one customer usually gets.",
            id="drf_hardening.E028",
        )
    ]


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
    check_guard_rates,
    check_throttle_cache,
    check_trusted_proxies,
    check_ipv6_prefix,
    check_drf_throttles,
]
