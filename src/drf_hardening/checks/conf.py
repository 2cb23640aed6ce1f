"""The check of ``DRF_HARDENING`` itself: its type, its keys, and each key's value.

The rule for each value is written once, as the key's validator in
``drf_hardening.conf`` (which serves the default while a value fails it);
this module only names the problem, with the id and hint below, and judges
``REST_FRAMEWORK["NUM_PROXIES"]`` when it stands in for an unset
``TRUSTED_PROXIES`` (``E034``). Checks of
how keys combine with other settings (a DummyCache behind ``THROTTLE_CACHE``,
``SECURE_PROXY_SSL_HEADER`` without ``TRUSTED_PROXIES``...) stay with their
concern.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Error

from drf_hardening.checks._common import (
    Messages,
    rest_framework_settings,
    string_where_a_list_is_expected,
)
from drf_hardening.conf import KEYS, is_proxy_count
from drf_hardening.throttling import topology

RATE_HINT = "Write '<requests>/<period>', e.g. '100/minute', '50/min', '100/5m' or '1000/12h'."
DURATION_HINT = "A timedelta, e.g. timedelta(days=30), or a number of seconds"

#: Key -> (check id, hint). Ids that existed before this module keep their number.
RULES: Mapping[str, tuple[str, str]] = {
    "PROFILE": ("E014", "harden() sets it: 'production', 'development', or None."),
    "TRUSTED_PROXIES": (
        "E027",
        "Use 0 when Django is reached directly, the number of proxies in front of it "
        "(e.g. 1), or their addresses, e.g. ['10.0.0.0/8'].",
    ),
    "IPV6_PREFIX_LENGTH": ("E028", "64 groups each IPv6 /64, what one customer usually gets."),
    "THROTTLE_CACHE": ("E023", "Name one of the CACHES aliases, or add that cache."),
    "THROTTLE_STORE": ("E035", topology.HINT),
    "THROTTLE_FAIL_OPEN": ("E031", "True or False, not a string such as 'false'."),
    "THROTTLE_TIMEOUT": ("E032", "Seconds as a number, e.g. 0.25."),
    "RATELIMIT_HEADERS": ("E033", "True or False, not a string such as 'false'."),
    "FAILED_AUTH_RATE": ("E022", RATE_HINT + " None switches the guard off."),
    "LOGIN_RATE": ("E021", RATE_HINT),
    "MAX_PAGE_SIZE": ("E043", "A positive int, e.g. 100."),
    "ERROR_FORMAT": (
        "E060",
        "Use 'envelope' (the default), 'problem' for RFC 9457 application/problem+json, "
        "or 'drf' for DRF's own shapes. See docs/errors.md.",
    ),
    "API_PATH_PREFIXES": (
        "E062",
        "For example ['/api/'], or ['/'] (the default) for JSON errors on every path.",
    ),
    "EXCEPTION_HANDLER_CLASS": (
        "E016",
        "The dotted path of a subclass of drf_hardening.exceptions.ExceptionHandler.",
    ),
    "REQUEST_ID_HEADER": (
        "E061",
        "Use a header name such as 'X-Request-ID' (letters, digits and '-'), "
        "the header your proxy or tracing system sets.",
    ),
    "CONTENT_SECURITY_POLICY": (
        "E015",
        "One header value, e.g. \"default-src 'none'; frame-ancestors 'none'\", or None.",
    ),
    "TOKEN_TTL": ("E080", DURATION_HINT + ", or None for tokens that never expire."),
    "TOKEN_IDLE_TTL": ("E081", DURATION_HINT + ", or None (the default) for no idle limit."),
    "TOKEN_PREFIX": ("E082", "Letters and digits, e.g. 'drfh' or 'acme'."),
    "TOKEN_LAST_USED_INTERVAL": ("E083", DURATION_HINT + "; 0 records every request."),
    "TOKEN_MAX_PER_USER": ("E084", "A positive int, e.g. 20, or None for no limit."),
    "TOKEN_LEGACY_TTL": ("E085", DURATION_HINT + ", or None for no limit."),
}


def _unknown(name: Any) -> Error:
    # Upper-cased so that 'trusted_proxies' finds its key too.
    close = difflib.get_close_matches(str(name).upper(), KEYS, n=1)
    suggestion = f" Did you mean {close[0]!r}?" if close else ""
    return Error(
        f"DRF_HARDENING has the unknown key {name!r}: it is ignored.{suggestion}",
        hint=f"The keys are listed in docs/settings.md.{suggestion}",
        id="drf_hardening.E013",
    )


def _invalid(name: str, value: Any, problem: str) -> Error:
    if name == "TRUSTED_PROXIES" and isinstance(value, str):
        return string_where_a_list_is_expected(f"DRF_HARDENING['{name}']", value)
    check_id, hint = RULES[name]
    default = KEYS[name].default
    return Error(
        f"DRF_HARDENING[{name!r}] = {value!r} is invalid: {problem}.",
        hint=f"{hint} Until it is fixed, requests use the default, {default!r}.",
        id=f"drf_hardening.{check_id}",
    )


def _num_proxies_standing_in() -> Messages:
    value = rest_framework_settings().get("NUM_PROXIES")
    if value is None or is_proxy_count(value):
        return []
    return [
        Error(
            f'REST_FRAMEWORK["NUM_PROXIES"] = {value!r} is not None or an int >= 0; '
            'DRF_HARDENING["TRUSTED_PROXIES"] is unset, so the client IP would come from it.',
            hint="Set NUM_PROXIES to the number of proxies in front of Django (0 for none), "
            'or set DRF_HARDENING["TRUSTED_PROXIES"]. Until fixed, X-Forwarded-For is ignored.',
            id="drf_hardening.E034",
        )
    ]


def check_drf_hardening(**kwargs: Any) -> Messages:
    user = getattr(settings, "DRF_HARDENING", {})
    if not isinstance(user, Mapping):
        return [
            Error(
                f"DRF_HARDENING is a {type(user).__name__}, not a dict: every key is ignored.",
                hint='Write DRF_HARDENING = {"KEY": value, ...}, or remove the setting.',
                id="drf_hardening.E012",
            )
        ]
    messages: Messages = []
    for name, value in user.items():
        key = KEYS.get(name)
        if key is None:
            messages.append(_unknown(name))
        elif (problem := key.validate(value)) is not None:
            messages.append(_invalid(name, value, problem))
    if "TRUSTED_PROXIES" not in user:  # then DRF's NUM_PROXIES is read in its place
        messages += _num_proxies_standing_in()
    return messages


CHECKS: Sequence[Callable[..., Messages]] = (check_drf_hardening,)
