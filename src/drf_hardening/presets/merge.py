"""``harden()``: merge the presets into a settings module, politely, and say what it did.

Rules, in order of precedence:

1. a keyword passed to ``harden()`` is an explicit choice and wins;
2. a value the project already set is kept (nested dicts merge key by key);
3. the preset fills what is missing.

Lists grow, never shrink: ``INSTALLED_APPS`` and ``SILENCED_SYSTEM_CHECKS``
gain what is missing, ``MIDDLEWARE`` gains what is missing at the documented
place, and existing entries are never moved (the system checks report a wrong
order instead). The returned report is also stored as the
``DRF_HARDENING_REPORT`` setting for ``manage.py hardening_report``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any

import django
from django.core.exceptions import ImproperlyConfigured

from drf_hardening.names import BROWSABLE_API_RENDERER
from drf_hardening.presets.profiles import (
    AT_END,
    PROFILES,
    Options,
    Preset,
    Profile,
    build_preset,
)
from drf_hardening.presets.report import Entry, HardeningReport, Source

#: Nested settings merged key by key, and the sub-dicts merged one level further.
NESTED: Mapping[str, frozenset[str]] = {
    "REST_FRAMEWORK": frozenset({"DEFAULT_THROTTLE_RATES"}),
    "DRF_HARDENING": frozenset(),
    "LOGGING": frozenset({"formatters", "filters", "handlers", "loggers"}),
    "SPECTACULAR_SETTINGS": frozenset(),
}
REPORT_SETTING = "DRF_HARDENING_REPORT"
#: Settings whose empty value means "not chosen": Django's default ALLOWED_HOSTS is [],
#: and startproject writes ``ALLOWED_HOSTS = []``, which would otherwise hide
#: DJANGO_ALLOWED_HOSTS and the development hosts.
UNSET_WHEN_EMPTY = frozenset({"ALLOWED_HOSTS"})


def harden(
    namespace: MutableMapping[str, Any],
    profile: Profile | None = None,
    *,
    allowed_hosts: Sequence[str] | None = None,
    cors_allowed_origins: Sequence[str] | None = None,
    trusted_proxies: int | Sequence[str] | None = None,
    hsts_preload: bool | None = None,
    secure_proxy_ssl_header: bool | None = None,
    log_file: str | None = None,
    log_json: bool | None = None,
) -> HardeningReport:
    """Apply the drf-hardening presets to ``namespace`` (pass ``globals()``).

    ``profile`` defaults to the ``DRF_HARDENING_PROFILE`` environment variable,
    then to ``"production"``. ``allowed_hosts`` defaults to the comma-separated
    ``DJANGO_ALLOWED_HOSTS`` environment variable. ``trusted_proxies`` is the
    number of proxies in front that append to ``X-Forwarded-For`` (``0``: none)
    or their addresses/CIDRs; it alone decides whether ``X-Forwarded-Proto`` and
    ``X-Forwarded-For`` are trusted, unless ``secure_proxy_ssl_header`` says
    otherwise. Every option and its default per profile is in docs/harden.md.
    """
    arguments: dict[str, Source] = {}
    resolved_profile = _profile(profile)
    hosts, hosts_source = _allowed_hosts(allowed_hosts)
    options = Options(
        profile=resolved_profile,
        allowed_hosts=hosts,
        cors_allowed_origins=_strings("cors_allowed_origins", cors_allowed_origins),
        trusted_proxies=_proxies(trusted_proxies),
        hsts_preload=bool(hsts_preload),
        proxy_ssl_header=secure_proxy_ssl_header,
        log_file=log_file,
        log_json=bool(log_json),
        django_version=(django.VERSION[0], django.VERSION[1]),
        browsable_api_renderer=_browsable_api(namespace),
        openapi=importlib.util.find_spec("drf_spectacular") is not None,
    )
    if resolved_profile == "production" and namespace.get("DEBUG"):
        # Check E010 says so too, but no app server runs the checks: gunicorn would
        # serve Django's debug pages (settings, paths, every URL pattern) to anyone.
        raise ImproperlyConfigured(
            "harden(profile='production') with DEBUG = True: Django's debug pages would "
            "show any client your settings, source paths and URL patterns, and no WSGI "
            "server runs the system checks that say so. Set DEBUG = False, or choose the "
            "development profile (DRF_HARDENING_PROFILE=development) on your machine."
        )
    if resolved_profile == "production" and not hosts and not namespace.get("ALLOWED_HOSTS"):
        raise ImproperlyConfigured(
            "harden(profile='production') needs the host names the API answers to: pass "
            "allowed_hosts=[...] or set DJANGO_ALLOWED_HOSTS. It never falls back to ['*']."
        )
    preset = build_preset(options)

    # Which settings the keywords (or their environment variables) decided.
    if hosts is not None:
        arguments["ALLOWED_HOSTS"] = hosts_source
    if cors_allowed_origins is not None:
        arguments["CORS_ALLOWED_ORIGINS"] = "argument"
    if trusted_proxies is not None:
        for path in ('DRF_HARDENING["TRUSTED_PROXIES"]', 'REST_FRAMEWORK["NUM_PROXIES"]'):
            arguments[path] = "argument"
        arguments["SECURE_PROXY_SSL_HEADER"] = "argument"
    if secure_proxy_ssl_header is not None:
        arguments["SECURE_PROXY_SSL_HEADER"] = "argument"
    if hsts_preload is not None:
        arguments["SECURE_HSTS_PRELOAD"] = "argument"
    # The profile the presets were built for is recorded whatever the namespace says.
    if profile is not None:
        arguments['DRF_HARDENING["PROFILE"]'] = "argument"
    elif "DRF_HARDENING_PROFILE" in os.environ:
        arguments['DRF_HARDENING["PROFILE"]'] = "environment"
    forced = {path for path, source in arguments.items() if source == "argument"}
    forced.add('DRF_HARDENING["PROFILE"]')

    previous = _previous(namespace)
    merger = _Merger(namespace, arguments, forced, previous)
    merger.merge_settings(preset)
    merger.merge_apps(preset.installed_apps)
    merger.merge_middleware(preset.middleware)
    merger.merge_silenced(preset.silenced_checks)
    report = HardeningReport(
        profile=resolved_profile, entries=merger.entries, silenced=preset.silenced_checks
    )
    namespace[REPORT_SETTING] = report.as_dict()
    return report


def _browsable_api(namespace: Mapping[str, Any]) -> bool | None:
    """Whether the project's own renderers include the browsable API; None if it set none."""
    rest_framework = namespace.get("REST_FRAMEWORK") or {}
    renderers = rest_framework.get("DEFAULT_RENDERER_CLASSES")
    return None if renderers is None else BROWSABLE_API_RENDERER in renderers


def _profile(profile: str | None) -> Profile:
    value = profile or os.environ.get("DRF_HARDENING_PROFILE") or "production"
    for known in PROFILES:
        if value == known:
            return known
    raise ImproperlyConfigured(
        f"harden() profile must be one of {', '.join(PROFILES)}; got {value!r}."
    )


def _strings(name: str, value: Sequence[str] | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        # A bare string is a sequence of characters: "api.example.com" would
        # silently become ["a", "p", "i", ...].
        raise ImproperlyConfigured(f"harden({name}=...) must be a list of strings, not a str.")
    return tuple(value)


def _allowed_hosts(value: Sequence[str] | None) -> tuple[tuple[str, ...] | None, Source]:
    if value is not None:
        return _strings("allowed_hosts", value), "argument"
    env = os.environ.get("DJANGO_ALLOWED_HOSTS", "")
    hosts = tuple(host.strip() for host in env.split(",") if host.strip())
    return (hosts or None), "environment"


def _proxies(value: int | Sequence[str] | None) -> int | tuple[str, ...]:
    if value is None:
        return 0
    if isinstance(value, bool) or (isinstance(value, int) and value < 0):
        raise ImproperlyConfigured("harden(trusted_proxies=...) must be a count >= 0 or a list.")
    if isinstance(value, int):
        return value
    strings = _strings("trusted_proxies", value)
    assert strings is not None
    return strings


def _previous(namespace: Mapping[str, Any]) -> dict[str, Any]:
    """What an earlier ``harden()`` call on this namespace set itself (for idempotency)."""
    report = namespace.get(REPORT_SETTING) or {}
    return {
        entry["setting"]: entry["value"]
        for entry in report.get("entries", [])
        if entry["source"] != "user"
    }


class _Merger:
    def __init__(
        self,
        namespace: MutableMapping[str, Any],
        arguments: Mapping[str, Source],
        forced: set[str],
        previous: Mapping[str, Any],
    ) -> None:
        self.namespace = namespace
        self.arguments = arguments
        self.forced = forced
        self.previous = previous
        self.entries: list[Entry] = []

    def _decide(self, path: str, present: bool, current: Any, preset_value: Any) -> bool:
        """Record where ``path`` comes from; True when the preset value is to be set."""
        source = self.arguments.get(path, "preset")
        if path in self.forced:
            self.entries.append(Entry(path, _jsonable(preset_value), source))
            return True
        ours = path in self.previous and self.previous[path] == _jsonable(current)
        if present and not ours:
            note = "" if current == preset_value else f"preset: {_jsonable(preset_value)!r}"
            self.entries.append(Entry(path, _jsonable(current), "user", note))
            return False
        self.entries.append(Entry(path, _jsonable(preset_value), source))
        return True

    def merge_settings(self, preset: Preset) -> None:
        for key, value in preset.settings.items():
            if key in NESTED:
                self._merge_nested(key, value)
            elif self._decide(key, self._is_set(key), self.namespace.get(key), value):
                self.namespace[key] = value

    def _is_set(self, key: str) -> bool:
        if key in UNSET_WHEN_EMPTY:
            return bool(self.namespace.get(key))
        return key in self.namespace

    def _merge_nested(self, key: str, value: Mapping[str, Any]) -> None:
        merged = dict(self.namespace.get(key) or {})
        for sub, sub_value in value.items():
            path = _path(key, sub)
            if sub in NESTED[key] and isinstance(merged.get(sub, {}), Mapping):
                inner = dict(merged.get(sub) or {})
                for name, item in sub_value.items():
                    if self._decide(_path(key, sub, name), name in inner, inner.get(name), item):
                        inner[name] = item
                merged[sub] = inner
            elif self._decide(path, sub in merged, merged.get(sub), sub_value):
                merged[sub] = sub_value
        self.namespace[key] = merged

    def _merge_list(self, key: str, wanted: Sequence[str]) -> None:
        current = list(self.namespace.get(key, ()))
        for item in wanted:
            path = _path(key, item)
            source: Source = "user" if item in current and path not in self.previous else "preset"
            if item not in current:
                current.append(item)
            self.entries.append(Entry(path, "present", source))
        self.namespace[key] = current

    def merge_apps(self, apps: Sequence[str]) -> None:
        self._merge_list("INSTALLED_APPS", apps)

    def merge_silenced(self, silenced: Mapping[str, str]) -> None:
        if silenced:
            self._merge_list("SILENCED_SYSTEM_CHECKS", list(silenced))

    def merge_middleware(self, wanted: Sequence[tuple[str, tuple[str, ...]]]) -> None:
        middleware = list(self.namespace.get("MIDDLEWARE", []))
        sources: dict[str, Source] = {}
        for name, anchors in wanted:
            if name in middleware:
                sources[name] = "preset" if _path("MIDDLEWARE", name) in self.previous else "user"
                continue
            if anchors == AT_END:
                position = len(middleware)
            else:
                present = [middleware.index(anchor) for anchor in anchors if anchor in middleware]
                position = max(present) + 1 if present else 0
            middleware.insert(position, name)
            sources[name] = "preset"
        # Reported once all are in: each insertion shifts the positions after it.
        for name, source in sources.items():
            where = f"position {middleware.index(name)}"
            self.entries.append(Entry(_path("MIDDLEWARE", name), where, source))
        self.namespace["MIDDLEWARE"] = middleware


def _path(setting: str, *keys: str) -> str:
    """How the report names a nested key or list item: ``REST_FRAMEWORK["PAGE_SIZE"]``."""
    return setting + "".join(f'["{key}"]' for key in keys)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value
