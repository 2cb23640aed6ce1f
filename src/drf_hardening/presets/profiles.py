"""The presets of ``harden()`` as plain data.

Pure functions of the profile and the options: nothing here imports
``django.conf.settings`` (settings.py runs before Django is configured), so
the presets can be built, printed and tested without a Django project.
``drf_hardening.presets.merge`` merges them into a settings namespace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from drf_hardening import names
from drf_hardening.names import (
    AUTH_GUARD_MIDDLEWARE,
    BROWSABLE_API_RENDERER,
    CLICKJACKING_MIDDLEWARE,
    COMMON_MIDDLEWARE,
    CORS_MIDDLEWARE,
    CSRF_MIDDLEWARE,
    DJANGO_CSP_MIDDLEWARE,
    LIBRARY_CSP_MIDDLEWARE,
    REQUEST_ID_MIDDLEWARE,
    SECURITY_MIDDLEWARE,
    SESSION_MIDDLEWARE,
)

Profile = Literal["production", "development"]
PROFILES: tuple[Profile, ...] = ("production", "development")

#: Anchor meaning "at the end of MIDDLEWARE".
AT_END = ("*",)

#: An API returns data, never a page: nothing may load, nothing may frame it.
API_CSP = {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
#: DRF's browsable API is a page with the project's own scripts and styles: while it
#: is on, those may load, and still nothing may frame it.
BROWSABLE_API_CSP = {"default-src": ["'self'"], "frame-ancestors": ["'none'"]}
ONE_YEAR = 31_536_000
DEVELOPMENT_ORIGINS = ("http://localhost:3000", "http://127.0.0.1:3000")
DEVELOPMENT_HOSTS = ("localhost", "127.0.0.1", "[::1]")


@dataclass(frozen=True)
class Options:
    """What ``harden()`` was asked for, already resolved from arguments and environment."""

    profile: Profile
    allowed_hosts: tuple[str, ...] | None = None
    cors_allowed_origins: tuple[str, ...] | None = None
    trusted_proxies: int | tuple[str, ...] = 0
    hsts_preload: bool = False
    #: ``None``: trust ``X-Forwarded-Proto`` exactly when a proxy is declared.
    proxy_ssl_header: bool | None = None
    log_file: str | None = None
    log_json: bool = False
    django_version: tuple[int, int] = (5, 2)
    #: Whether the renderers in force include DRF's browsable API (it needs a laxer CSP).
    #: ``None``: the profile's own renderers decide (development has it).
    browsable_api_renderer: bool | None = None
    #: Whether drf-spectacular is installed: then the schema documents the library's errors,
    #: headers and strict fields (``drf_hardening.openapi``).
    openapi: bool = False

    @property
    def browsable_api(self) -> bool:
        if self.browsable_api_renderer is None:
            return self.profile == "development"
        return self.browsable_api_renderer

    @property
    def has_proxy(self) -> bool:
        return bool(self.trusted_proxies)

    @property
    def num_proxies(self) -> int:
        if isinstance(self.trusted_proxies, int):
            return self.trusted_proxies
        # DRF counts hops; with an address list the library's client-IP walk is exact
        # and DRF's NUM_PROXIES (used only by DRF's own throttles) takes the list's length.
        return len(self.trusted_proxies)


@dataclass
class Preset:
    """The settings a profile asks for, and why some Django checks are silenced."""

    settings: dict[str, Any]
    installed_apps: list[str]
    #: (middleware, the entries it must come after), in insertion order.
    middleware: list[tuple[str, tuple[str, ...]]]
    silenced_checks: dict[str, str] = field(default_factory=dict)


def build_preset(options: Options) -> Preset:
    from drf_hardening.presets.logging import logging_preset

    production = options.profile == "production"
    return Preset(
        settings={
            **_hosts_and_cors(options),
            **(_https(options) if production else {}),
            **_headers(options),
            **_request_limits(),
            "REST_FRAMEWORK": _rest_framework(options),
            **_openapi(options),
            "DRF_HARDENING": {
                "PROFILE": options.profile,
                "TRUSTED_PROXIES": _plain(options.trusted_proxies),
                **(
                    {}
                    if options.django_version >= (6, 0)
                    else {"CONTENT_SECURITY_POLICY": _csp_header(options)}
                ),
            },
            "LOGGING": logging_preset(
                profile=options.profile, log_file=options.log_file, json_format=options.log_json
            ),
        },
        installed_apps=["rest_framework", "corsheaders", "drf_hardening"],
        middleware=_middleware(options),
        silenced_checks=_silenced(options) if production else {},
    )


def _plain(value: int | Sequence[str]) -> int | list[str]:
    return value if isinstance(value, int) else list(value)


def _hosts_and_cors(options: Options) -> dict[str, Any]:
    production = options.profile == "production"
    hosts = options.allowed_hosts
    if hosts is None and not production:
        hosts = DEVELOPMENT_HOSTS
    origins = options.cors_allowed_origins
    if origins is None:
        origins = () if production else DEVELOPMENT_ORIGINS
    result: dict[str, Any] = {
        "CORS_ALLOWED_ORIGINS": list(origins),
        "CORS_ALLOW_ALL_ORIGINS": False,
    }
    if hosts is not None:
        result["ALLOWED_HOSTS"] = list(hosts)
    return result


def _https(options: Options) -> dict[str, Any]:
    result: dict[str, Any] = {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": ONE_YEAR,
        # Covers subdomains of the API's own host only; preload is opt-in because
        # leaving the browsers' preload list takes months.
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": options.hsts_preload,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        # Error e-mails without the credentials a client put in the URL.
        "DEFAULT_EXCEPTION_REPORTER": names.EXCEPTION_REPORTER,
        "DEFAULT_EXCEPTION_REPORTER_FILTER": names.EXCEPTION_REPORTER_FILTER,
    }
    trust_proto = (
        options.has_proxy if options.proxy_ssl_header is None else options.proxy_ssl_header
    )
    if trust_proto:
        # Only behind a proxy that overwrites the header: otherwise any client could
        # claim HTTPS (Django's docs on SECURE_PROXY_SSL_HEADER).
        result["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return result


def _headers(options: Options) -> dict[str, Any]:
    result: dict[str, Any] = {
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "no-referrer",
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "X_FRAME_OPTIONS": "DENY",
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_FAILURE_VIEW": names.CSRF_FAILURE_VIEW,
    }
    if options.django_version >= (6, 0):
        result["SECURE_CSP"] = _csp(options)
    return result


def _csp(options: Options) -> dict[str, list[str]]:
    policy = BROWSABLE_API_CSP if options.browsable_api else API_CSP
    return {name: list(values) for name, values in policy.items()}


def _csp_header(options: Options) -> str:
    """The policy as a header value, for the library's middleware on Django 5.2."""
    return "; ".join(f"{name} {' '.join(values)}" for name, values in _csp(options).items())


def _request_limits() -> dict[str, Any]:
    # 1 MiB of JSON is far more than a form-sized API request needs; Django's own
    # 2.5 MB default was chosen for HTML form posts.
    return {"DATA_UPLOAD_MAX_MEMORY_SIZE": 1_048_576}


def _rest_framework(options: Options) -> dict[str, Any]:
    renderers = [names.JSON_RENDERER]
    if options.profile == "development":
        renderers.append(BROWSABLE_API_RENDERER)
    return {
        "DEFAULT_THROTTLE_CLASSES": [
            names.ANON_THROTTLE,
            names.USER_THROTTLE,
        ],
        "DEFAULT_THROTTLE_RATES": {"user": "100/minute", "anon": "50/minute"},
        # DRF's default pair, with its Basic authentication (which hashes every
        # password it is sent, unthrottled) replaced by the library's drop-in.
        "DEFAULT_AUTHENTICATION_CLASSES": [
            names.DRF_SESSION_AUTHENTICATION,
            names.BASIC_AUTHENTICATION,
        ],
        "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
        "DEFAULT_PERMISSION_CLASSES": [names.IS_AUTHENTICATED],
        "DEFAULT_RENDERER_CLASSES": renderers,
        "DEFAULT_PARSER_CLASSES": [names.JSON_PARSER],
        "DEFAULT_PAGINATION_CLASS": names.PAGINATION,
        "PAGE_SIZE": 50,
        "NUM_PROXIES": options.num_proxies,
        **({"DEFAULT_SCHEMA_CLASS": names.SCHEMA_CLASS} if options.openapi else {}),
    }


def _openapi(options: Options) -> dict[str, Any]:
    # Request bodies need their own components to say that strict serializers refuse
    # unknown fields (check drf_hardening.W101).
    return {"SPECTACULAR_SETTINGS": {"COMPONENT_SPLIT_REQUEST": True}} if options.openapi else {}


def _middleware(options: Options) -> list[tuple[str, tuple[str, ...]]]:
    csp = DJANGO_CSP_MIDDLEWARE if options.django_version >= (6, 0) else LIBRARY_CSP_MIDDLEWARE
    # Each goes right after the ones before it. The request id comes first, before
    # SecurityMiddleware: its HTTPS redirect and the 400 for a foreign Host (it reads the
    # Host to redirect) then carry the same id as their log line. CORS comes before
    # anything that can answer, the failed-auth guard included: a 429 without CORS
    # headers reaches a browser app as an opaque network error. The chunked-body reader
    # comes before anything that reads request.body (a 411 or the de-chunked body).
    head = [
        REQUEST_ID_MIDDLEWARE,
        SECURITY_MIDDLEWARE,
        CORS_MIDDLEWARE,
        AUTH_GUARD_MIDDLEWARE,
        csp,
        names.CHUNKED_BODY_MIDDLEWARE,
    ]
    return [
        *((name, tuple(head[:index])) for index, name in enumerate(head)),
        # CommonMiddleware is what validates Host against ALLOWED_HOSTS on every request
        # (request.get_host()); Django's deploy checks ask for CSRF and clickjacking.
        (COMMON_MIDDLEWARE, (*head, SESSION_MIDDLEWARE)),
        (CSRF_MIDDLEWARE, (*head, SESSION_MIDDLEWARE, COMMON_MIDDLEWARE)),
        (CLICKJACKING_MIDDLEWARE, AT_END),
    ]


def _silenced(options: Options) -> dict[str, str]:
    if options.hsts_preload:
        return {}
    return {
        "security.W021": (
            "HSTS preload is opt-in (harden(hsts_preload=True)): once a domain is on the "
            "browsers' preload list, leaving it takes months, so the preset does not "
            "submit it on your behalf."
        )
    }
