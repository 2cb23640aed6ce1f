"""Checks for DRF's own Basic authentication under the production profile.

Ids ``drf_hardening.W083`` (the default classes) and ``W084`` (views that name it
themselves), from the authentication range. DRF's ``BasicAuthentication``
hashes every password it is sent, before any throttle runs: a password oracle
and a CPU sink (issue 17). ``drf_hardening.authentication.BasicAuthentication``
is the drop-in that counts each attempt on the login throttle first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.core.checks import Warning
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from drf_hardening import names
from drf_hardening.checks._common import Messages, rest_framework_settings
from drf_hardening.conf import conf

#: How many views W084 names before it says "and N more".
MAX_LISTED = 5
_WHY = (
    "it checks every password it is sent (a ~200 ms hash each) before any throttle runs, "
    "so one client can keep workers busy and many clients can guess one account"
)


def check_basic_authentication_setting(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production":
        return []
    classes = rest_framework_settings().get(
        "DEFAULT_AUTHENTICATION_CLASSES", names.DRF_DEFAULT_AUTHENTICATION
    )
    # A bare string is drf_hardening.E011.
    if not isinstance(classes, list | tuple) or names.DRF_BASIC_AUTHENTICATION not in classes:
        return []
    unset = "DEFAULT_AUTHENTICATION_CLASSES" not in rest_framework_settings()
    return [
        Warning(
            "REST_FRAMEWORK['DEFAULT_AUTHENTICATION_CLASSES'] "
            + ("is unset, so DRF's default, " if unset else "")
            + f"has {names.DRF_BASIC_AUTHENTICATION!r} under the production profile: {_WHY}.",
            hint=f"Use {names.BASIC_AUTHENTICATION!r} instead (a drop-in that counts every "
            "attempt on the login throttle before hashing), or token authentication "
            "(docs/authentication.md).",
            id="drf_hardening.W083",
        )
    ]


def _views(patterns: Sequence[Any], prefix: str = "") -> Iterator[tuple[str, Callable[..., Any]]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _is_drf_basic(auth: Any) -> bool:
    drf_basic = import_string(names.DRF_BASIC_AUTHENTICATION)
    ours = import_string(names.BASIC_AUTHENTICATION)
    return isinstance(auth, type) and issubclass(auth, drf_basic) and not issubclass(auth, ours)


def check_basic_authentication_views(**kwargs: Any) -> Messages:
    if conf.PROFILE != "production":
        return []
    try:
        patterns = get_resolver().url_patterns
    except Exception:  # Django's own URL checks report a URLconf that does not load.
        return []
    # Here, not at import: rest_framework.views reads DRF's settings when it is imported.
    from rest_framework.views import APIView

    found = []
    for route, callback in _views(patterns):
        cls = getattr(callback, "cls", None)  # APIView.as_view() and viewsets set it
        if cls is None:
            continue
        initkwargs = getattr(callback, "initkwargs", None) or {}
        classes = initkwargs.get("authentication_classes", cls.authentication_classes)
        # A view that inherits the default classes is W083's.
        if classes is not APIView.authentication_classes and any(map(_is_drf_basic, classes)):
            found.append(f"{cls.__module__}.{cls.__qualname__} ({route})")
    if not found:
        return []
    listed = ", ".join(found[:MAX_LISTED])
    if len(found) > MAX_LISTED:
        listed += f" and {len(found) - MAX_LISTED} more"
    return [
        Warning(
            f"Views use {names.DRF_BASIC_AUTHENTICATION!r} under the production profile: "
            f"{listed}. {_WHY[0].upper()}{_WHY[1:]}.",
            hint=f"Set their authentication_classes to {names.BASIC_AUTHENTICATION!r}, or to "
            "token or session authentication (docs/authentication.md).",
            id="drf_hardening.W084",
        )
    ]


CHECKS: Sequence[Callable[..., Messages]] = (
    check_basic_authentication_setting,
    check_basic_authentication_views,
)
