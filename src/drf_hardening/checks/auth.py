"""Checks of authentication and of drf_hardening.tokens' settings together.

Ids: ``drf_hardening.E080``-``E099`` (wrong) and ``W080``-``W099`` (risky).
The types and ranges of the ``TOKEN_*`` settings are checked with the other
``DRF_HARDENING`` keys (``drf_hardening.checks.conf``); these are about how they
fit the rest of the project.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.checks import Warning

from drf_hardening import names
from drf_hardening.checks._common import Messages, rest_framework_settings
from drf_hardening.conf import conf

DRF_TOKEN_AUTHENTICATION = names.DRF_TOKEN_AUTHENTICATION
TOKEN_AUTHENTICATION = names.TOKEN_AUTHENTICATION
TOKENS_APP = "drf_hardening.tokens"


def check_plain_text_tokens(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production":
        return []
    classes = rest_framework_settings().get("DEFAULT_AUTHENTICATION_CLASSES", ())
    # A bare string is drf_hardening.E011; DRF's default (session, basic) has no token.
    if not isinstance(classes, list | tuple) or DRF_TOKEN_AUTHENTICATION not in classes:
        return []
    return [
        Warning(
            f"REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] has {DRF_TOKEN_AUTHENTICATION!r} "
            "under the production profile: its tokens are stored in plain text and never "
            "expire, so a database dump or backup lets its reader act as every user, forever.",
            hint=f"Add {TOKENS_APP!r} to INSTALLED_APPS, use {TOKEN_AUTHENTICATION!r} and run "
            "`manage.py import_drf_tokens`, which keeps every client logged in "
            "(docs/tokens.md).",
            id="drf_hardening.W080",
        )
    ]


def check_token_lifetime(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production" or not apps.is_installed(TOKENS_APP):
        return []
    if conf.TOKEN_TTL is not None:
        return []
    return [
        Warning(
            "DRF_HARDENING['TOKEN_TTL'] is None under the production profile: tokens never "
            "expire, so a stolen token works until someone revokes it.",
            hint="Set a lifetime, e.g. timedelta(days=30) (the default), and TOKEN_IDLE_TTL "
            "for tokens that go unused.",
            id="drf_hardening.W081",
        )
    ]


def _seconds(value: Any) -> float | None:
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None  # None, or a wrong type (reported by drf_hardening.checks.conf)


def check_idle_interval(**kwargs: Any) -> Messages:
    if not apps.is_installed(TOKENS_APP):
        return []
    idle = _seconds(conf.TOKEN_IDLE_TTL)
    interval = _seconds(conf.TOKEN_LAST_USED_INTERVAL)
    if idle is None or interval is None or idle > interval:
        return []
    return [
        Warning(
            f"DRF_HARDENING['TOKEN_IDLE_TTL'] ({idle:g} s) is not longer than "
            f"TOKEN_LAST_USED_INTERVAL ({interval:g} s): last_used is written once per "
            "interval, so tokens in steady use would be taken for idle and refused.",
            hint="Make TOKEN_IDLE_TTL several times TOKEN_LAST_USED_INTERVAL (a token may "
            "expire up to one interval early), or lower the interval (0 writes every request).",
            id="drf_hardening.W082",
        )
    ]


def check_compiled_lookup(**kwargs: Any) -> Messages:
    """The token lookup's compiled SQL reads Django's query compiler (not public API)."""
    if not apps.is_installed(TOKENS_APP):
        return []
    from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

    from drf_hardening.tokens import lookup
    from drf_hardening.tokens.authentication import TokenAuthentication

    try:
        lookup.compile_lookup(TokenAuthentication.queryset, connections[DEFAULT_DB_ALIAS])
    except DatabaseError:  # a database that is not up yet tells nothing about Django
        return []
    except Exception as exc:  # what a moved internal raises: AttributeError, KeyError...
        return [
            Warning(
                "drf_hardening.tokens cannot compile its token lookup on this Django "
                f"({type(exc).__name__}: {exc}): the query compiler's internals it reads "
                "(klass_info, select, get_converters) have changed. Tokens still "
                "authenticate, through QuerySet.get(), at about DRF's cost instead of a third.",
                hint="Report it to drf-hardening with your Django version; nothing else "
                'is needed (docs/tokens.md, "Cost").',
                id="drf_hardening.W085",
            )
        ]
    return []


def check_drf_authenticator_record(**kwargs: Any) -> Messages:
    """The guard learns that authentication succeeded from a private attribute of DRF's."""
    from django.http import HttpRequest
    from rest_framework.authentication import BaseAuthentication
    from rest_framework.request import Request

    from drf_hardening.throttling.counting import DRF_AUTHENTICATOR

    class Accepting(BaseAuthentication):
        def authenticate(self, request: Any) -> tuple[Any, None]:
            return (object(), None)

    accepting = Accepting()
    request = Request(HttpRequest(), authenticators=[accepting])
    request.user  # noqa: B018 - authenticates, as DRF's APIView.initial() does
    if getattr(request, DRF_AUTHENTICATOR, None) is accepting:
        return []
    return [
        Warning(
            "DRF's Request no longer records the authenticator that succeeded in "
            f"{DRF_AUTHENTICATOR!r}: the failed-auth guard gives a success's reserved attempt "
            "back after the response instead of in the throttle's round trip (one more "
            "store round trip per authenticated request; limits unchanged).",
            hint="Report it to drf-hardening with your DRF version; nothing else is needed.",
            id="drf_hardening.W086",
        )
    ]


CHECKS = [
    check_plain_text_tokens,
    check_token_lifetime,
    check_idle_interval,
    check_compiled_lookup,
    check_drf_authenticator_record,
]
