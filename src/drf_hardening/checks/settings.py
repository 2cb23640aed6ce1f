"""Checks of the project's settings: hosts, HTTPS, DRF defaults and list-typed settings.

Ids: ``drf_hardening.E001``-``E019`` (wrong) and ``W001``-``W019`` (risky);
``E012``-``E016`` (``DRF_HARDENING`` and its keys) are raised by ``drf_hardening.checks.conf``.
Profile-specific checks fire only when ``harden()`` recorded that profile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning
from django.utils.module_loading import import_string

from drf_hardening import names
from drf_hardening.checks._common import (
    Messages,
    rest_framework_settings,
    string_where_a_list_is_expected,
)
from drf_hardening.conf import conf

OUR_HANDLER = names.EXCEPTION_HANDLER

#: Settings that must be a list or tuple of strings: a str is a sequence of characters.
SEQUENCE_SETTINGS = (
    "ALLOWED_HOSTS",
    "INSTALLED_APPS",
    "MIDDLEWARE",
    "CSRF_TRUSTED_ORIGINS",
    "INTERNAL_IPS",
    "SECURE_REDIRECT_EXEMPT",
    "SILENCED_SYSTEM_CHECKS",
    "CORS_ALLOWED_ORIGINS",
    "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ALLOW_HEADERS",
    "CORS_ALLOW_METHODS",
    "CORS_EXPOSE_HEADERS",
)
SEQUENCE_REST_FRAMEWORK = (
    "DEFAULT_AUTHENTICATION_CLASSES",
    "DEFAULT_PERMISSION_CLASSES",
    "DEFAULT_THROTTLE_CLASSES",
    "DEFAULT_RENDERER_CLASSES",
    "DEFAULT_PARSER_CLASSES",
)


def check_allowed_hosts(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production":
        return []
    hosts = getattr(settings, "ALLOWED_HOSTS", None) or []
    if not hosts:
        return [
            Error(
                "ALLOWED_HOSTS is empty under the production profile: every request gets 400.",
                hint="harden(allowed_hosts=['api.example.com']) or DJANGO_ALLOWED_HOSTS.",
                id="drf_hardening.E005",
            )
        ]
    if "*" in hosts:
        return [
            Error(
                "ALLOWED_HOSTS contains '*' under the production profile: Host header "
                "poisoning of password-reset links and cache keys becomes possible.",
                hint="List the host names the API answers to.",
                id="drf_hardening.E006",
            )
        ]
    return []


def check_proxy_ssl_header(**kwargs: Any) -> Messages:
    # conf.TRUSTED_PROXIES is what client_ip uses: NUM_PROXIES when the key is unset.
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not conf.TRUSTED_PROXIES:
        return [
            Error(
                "SECURE_PROXY_SSL_HEADER is set but DRF_HARDENING['TRUSTED_PROXIES'] (or, when "
                "it is unset, REST_FRAMEWORK['NUM_PROXIES']) declares no proxy: without a proxy "
                "that overwrites X-Forwarded-Proto, any client can claim HTTPS.",
                hint="harden(trusted_proxies=1) if a TLS-terminating proxy is in front, "
                "otherwise remove SECURE_PROXY_SSL_HEADER.",
                id="drf_hardening.E007",
            )
        ]
    return []


def _uses_drf_ident(path: str) -> bool:
    from rest_framework.throttling import SimpleRateThrottle

    try:
        throttle = import_string(path)
    except ImportError:
        return False  # DRF reports unimportable classes itself at request time
    return (
        isinstance(throttle, type)
        and issubclass(throttle, SimpleRateThrottle)
        and throttle.get_ident is SimpleRateThrottle.get_ident
    )


def check_num_proxies(**kwargs: Any) -> Messages:
    rest_framework = rest_framework_settings()
    if rest_framework.get("NUM_PROXIES") is not None:
        return []
    classes = rest_framework.get("DEFAULT_THROTTLE_CLASSES") or []
    if isinstance(classes, str):
        return []  # reported by E011
    spoofable = [path for path in classes if isinstance(path, str) and _uses_drf_ident(path)]
    if spoofable:
        return [
            Warning(
                "REST_FRAMEWORK['NUM_PROXIES'] is None while DEFAULT_THROTTLE_CLASSES has "
                f"{spoofable[0]!r}: DRF then keys the throttle on the whole client-sent "
                "X-Forwarded-For header, so a client that changes it is never throttled.",
                hint="Set REST_FRAMEWORK['NUM_PROXIES'] to the number of proxies in front "
                "(0 for none), or use drf_hardening.throttling classes.",
                id="drf_hardening.W001",
            )
        ]
    return []


def check_exception_handler(**kwargs: Any) -> Messages:
    if conf.PROFILE is None:
        return []
    handler = rest_framework_settings().get("EXCEPTION_HANDLER")
    if handler != OUR_HANDLER:
        return [
            Warning(
                f"REST_FRAMEWORK['EXCEPTION_HANDLER'] is {handler!r}, not {OUR_HANDLER!r}, "
                "although harden() asked for it: error bodies may leak exception messages "
                "and shapes differ by error.",
                hint="Remove your EXCEPTION_HANDLER and customise the library's through "
                "DRF_HARDENING['EXCEPTION_HANDLER_CLASS'] (a subclass of "
                "drf_hardening.exceptions.ExceptionHandler); see docs/errors.md.",
                id="drf_hardening.W002",
            )
        ]
    return []


def check_production_defaults(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production":
        return []
    messages: Messages = []
    rest_framework = rest_framework_settings()
    renderers = rest_framework.get("DEFAULT_RENDERER_CLASSES") or []
    if names.BROWSABLE_API_RENDERER in renderers:
        messages.append(
            Warning(
                "REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'] includes BrowsableAPIRenderer under "
                "the production profile: it serves HTML forms and more attack surface.",
                hint="Keep rest_framework.renderers.JSONRenderer only.",
                id="drf_hardening.W003",
            )
        )
    permissions = rest_framework.get("DEFAULT_PERMISSION_CLASSES")
    if permissions is None or names.ALLOW_ANY in permissions:
        messages.append(
            Warning(
                "REST_FRAMEWORK['DEFAULT_PERMISSION_CLASSES'] allows any client by default "
                "(AllowAny) under the production profile.",
                hint="Use rest_framework.permissions.IsAuthenticated as the default and open "
                "public views one by one.",
                id="drf_hardening.W004",
            )
        )
    if settings.DEBUG:
        messages.append(
            Error(
                "DEBUG is True under the production profile.",
                hint="Set DEBUG = False (for example from an environment variable).",
                id="drf_hardening.E010",
            )
        )
    return messages


def check_sequences(**kwargs: Any) -> Messages:
    # DRF_HARDENING["TRUSTED_PROXIES"] as a string is reported by drf_hardening.checks.conf.
    named: list[tuple[str, Any]] = [
        (name, getattr(settings, name, None)) for name in SEQUENCE_SETTINGS
    ]
    rest_framework = rest_framework_settings()
    named += [
        (f"REST_FRAMEWORK['{key}']", rest_framework.get(key)) for key in SEQUENCE_REST_FRAMEWORK
    ]
    return [
        string_where_a_list_is_expected(name, value)
        for name, value in named
        if isinstance(value, str)
    ]


CHECKS: Sequence[Callable[..., Messages]] = (
    check_allowed_hosts,
    check_proxy_ssl_header,
    check_num_proxies,
    check_exception_handler,
    check_production_defaults,
    check_sequences,
)
