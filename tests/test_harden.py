"""harden() and the presets: pure functions over a plain dict, no Django settings involved."""

from __future__ import annotations

import copy
import subprocess
import sys
from typing import Any

import django
import pytest
from django.core.exceptions import ImproperlyConfigured

from drf_hardening import harden
from drf_hardening.names import CORS_MIDDLEWARE, REQUEST_ID_MIDDLEWARE, SECURITY_MIDDLEWARE
from drf_hardening.presets.merge import REPORT_SETTING
from drf_hardening.presets.profiles import Options, build_preset
from drf_hardening.presets.report import HardeningReport

HOSTS = ["api.example.com"]
COMMON = "django.middleware.common.CommonMiddleware"
CSRF = "django.middleware.csrf.CsrfViewMiddleware"
CLICKJACKING = "django.middleware.clickjacking.XFrameOptionsMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DRF_HARDENING_PROFILE", "DJANGO_ALLOWED_HOSTS"):
        monkeypatch.delenv(name, raising=False)


def entry(report: HardeningReport, setting: str) -> Any:
    (found,) = [e for e in report.entries if e.setting == setting]
    return found


def test_pure_core_runs_without_django_configured() -> None:
    code = (
        "from django.conf import settings\n"
        "from drf_hardening import harden\n"
        "ns = {}\n"
        "report = harden(ns, profile='production', allowed_hosts=['a.example'])\n"
        "assert ns['SECURE_HSTS_SECONDS'] == 31536000, ns\n"
        "assert not settings.configured, 'harden() configured Django settings'\n"
        "print('ok', report.profile)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, env={}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok production"


def test_production_preset_sets_https_headers_and_rest_framework() -> None:
    ns: dict[str, Any] = {}
    harden(
        ns,
        profile="production",
        allowed_hosts=HOSTS,
        cors_allowed_origins=["https://app.example.com"],
    )
    assert ns["ALLOWED_HOSTS"] == HOSTS
    assert ns["SECURE_SSL_REDIRECT"] is True
    assert ns["SECURE_HSTS_SECONDS"] == 31_536_000
    assert ns["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert ns["SECURE_HSTS_PRELOAD"] is False
    assert ns["SESSION_COOKIE_SECURE"] is ns["CSRF_COOKIE_SECURE"] is True
    assert ns["X_FRAME_OPTIONS"] == "DENY"
    assert ns["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert ns["CORS_ALLOWED_ORIGINS"] == ["https://app.example.com"]
    assert ns["CORS_ALLOW_ALL_ORIGINS"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in ns
    rest = ns["REST_FRAMEWORK"]
    assert rest["DEFAULT_THROTTLE_RATES"] == {"user": "100/minute", "anon": "50/minute"}
    assert rest["EXCEPTION_HANDLER"] == "drf_hardening.exceptions.exception_handler"
    assert rest["DEFAULT_PERMISSION_CLASSES"] == ["rest_framework.permissions.IsAuthenticated"]
    assert rest["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]
    assert rest["DEFAULT_PARSER_CLASSES"] == ["drf_hardening.parsers.JSONParser"]
    assert rest["NUM_PROXIES"] == 0
    assert ns["DRF_HARDENING"]["PROFILE"] == "production"
    assert ns["DRF_HARDENING"]["TRUSTED_PROXIES"] == 0
    assert ns["SILENCED_SYSTEM_CHECKS"] == ["security.W021"]
    assert ns["INSTALLED_APPS"] == ["rest_framework", "corsheaders", "drf_hardening"]
    assert ns["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 1_048_576
    assert "handlers" in ns["LOGGING"]


def test_csp_comes_from_django_on_6_and_from_the_library_on_5_2() -> None:
    new = build_preset(Options(profile="production", allowed_hosts=("a",), django_version=(6, 0)))
    old = build_preset(Options(profile="production", allowed_hosts=("a",), django_version=(5, 2)))
    assert new.settings["SECURE_CSP"] == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
    assert "CONTENT_SECURITY_POLICY" not in new.settings["DRF_HARDENING"]
    assert "SECURE_CSP" not in old.settings
    assert old.settings["DRF_HARDENING"]["CONTENT_SECURITY_POLICY"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in dict(new.middleware)
    assert "drf_hardening.middleware.ContentSecurityPolicyMiddleware" in dict(old.middleware)


@pytest.mark.parametrize("django_version", [(5, 2), (6, 0)])
def test_development_csp_lets_the_browsable_api_load_its_own_files(
    django_version: tuple[int, int],
) -> None:
    preset = build_preset(Options(profile="development", django_version=django_version))
    if django_version >= (6, 0):
        policy = preset.settings["SECURE_CSP"]
        assert policy == {"default-src": ["'self'"], "frame-ancestors": ["'none'"]}
    else:
        policy = preset.settings["DRF_HARDENING"]["CONTENT_SECURITY_POLICY"]
        assert policy == "default-src 'self'; frame-ancestors 'none'"


def test_json_only_development_project_keeps_the_api_csp() -> None:
    ns: dict[str, Any] = {
        "REST_FRAMEWORK": {"DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]}
    }
    harden(ns, profile="development")
    policy = ns.get("SECURE_CSP") or ns["DRF_HARDENING"]["CONTENT_SECURITY_POLICY"]
    assert policy in (
        {"default-src": ["'none'"], "frame-ancestors": ["'none'"]},
        "default-src 'none'; frame-ancestors 'none'",
    )


def test_production_project_that_opts_into_the_browsable_api_gets_a_csp_it_can_run_under() -> None:
    ns: dict[str, Any] = {
        "REST_FRAMEWORK": {
            "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"]
        }
    }
    harden(ns, profile="production", allowed_hosts=HOSTS)
    policy = ns.get("SECURE_CSP") or ns["DRF_HARDENING"]["CONTENT_SECURITY_POLICY"]
    assert "'self'" in str(policy)


def test_presets_do_not_share_mutable_values() -> None:
    first = build_preset(Options(profile="production", allowed_hosts=("a",), django_version=(6, 0)))
    first.settings["SECURE_CSP"]["default-src"].append("https://evil.example")
    second = build_preset(
        Options(profile="production", allowed_hosts=("a",), django_version=(6, 0))
    )
    assert second.settings["SECURE_CSP"]["default-src"] == ["'none'"]


def test_production_without_hosts_is_an_error_never_star() -> None:
    with pytest.raises(ImproperlyConfigured, match="never falls back"):
        harden({}, profile="production")


def test_production_keeps_the_users_hosts_when_none_are_passed() -> None:
    ns: dict[str, Any] = {"ALLOWED_HOSTS": ["mine.example"]}
    report = harden(ns, profile="production")
    assert ns["ALLOWED_HOSTS"] == ["mine.example"]
    assert entry(report, 'REST_FRAMEWORK["NUM_PROXIES"]').source == "preset"


def test_allowed_hosts_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "a.example, b.example,")
    ns: dict[str, Any] = {}
    report = harden(ns, profile="production")
    assert ns["ALLOWED_HOSTS"] == ["a.example", "b.example"]
    assert entry(report, "ALLOWED_HOSTS").source == "environment"


def test_startprojects_empty_allowed_hosts_counts_as_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # startproject writes ALLOWED_HOSTS = [] (Django's default): that is no choice, and
    # must not hide DJANGO_ALLOWED_HOSTS or the development hosts.
    ns: dict[str, Any] = {"ALLOWED_HOSTS": []}
    harden(ns, profile="development")
    assert ns["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "api.example.com")
    ns = {"ALLOWED_HOSTS": []}
    report = harden(ns, profile="production")
    assert ns["ALLOWED_HOSTS"] == ["api.example.com"]
    assert entry(report, "ALLOWED_HOSTS").source == "environment"


def test_production_with_empty_allowed_hosts_and_none_given_is_an_error() -> None:
    with pytest.raises(ImproperlyConfigured, match="never falls back"):
        harden({"ALLOWED_HOSTS": []}, profile="production")


def test_profile_defaults_to_production_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert harden({}, allowed_hosts=HOSTS).profile == "production"
    monkeypatch.setenv("DRF_HARDENING_PROFILE", "development")
    ns: dict[str, Any] = {}
    report = harden(ns)
    assert report.profile == "development"
    assert entry(report, 'DRF_HARDENING["PROFILE"]').source == "environment"


def test_unknown_profile_is_rejected() -> None:
    with pytest.raises(ImproperlyConfigured, match="profile must be one of"):
        harden({}, profile="staging")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["allowed_hosts", "cors_allowed_origins", "trusted_proxies"])
def test_a_bare_string_where_a_list_is_expected_is_rejected(name: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="not a str"):
        harden({}, profile="development", **{name: "api.example.com"})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [-1, True])
def test_trusted_proxies_must_be_a_count_or_a_list(value: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="count >= 0"):
        harden({}, profile="development", trusted_proxies=value)


def test_development_profile_is_relaxed_for_https_only() -> None:
    ns: dict[str, Any] = {}
    harden(ns, profile="development")
    assert "SECURE_SSL_REDIRECT" not in ns
    assert "SECURE_HSTS_SECONDS" not in ns
    assert "SESSION_COOKIE_SECURE" not in ns
    assert "SILENCED_SYSTEM_CHECKS" not in ns
    assert ns["ALLOWED_HOSTS"] == ["localhost", "127.0.0.1", "[::1]"]
    assert ns["CORS_ALLOWED_ORIGINS"] == ["http://localhost:3000", "http://127.0.0.1:3000"]
    assert ns["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"][-1].endswith("BrowsableAPIRenderer")
    assert ns["REST_FRAMEWORK"]["EXCEPTION_HANDLER"] == "drf_hardening.exceptions.exception_handler"
    assert ns["X_FRAME_OPTIONS"] == "DENY"


def test_development_uses_given_origins() -> None:
    ns: dict[str, Any] = {}
    harden(ns, profile="development", cors_allowed_origins=["http://localhost:5173"])
    assert ns["CORS_ALLOWED_ORIGINS"] == ["http://localhost:5173"]


def test_trusted_proxy_turns_on_proxy_ssl_header_and_num_proxies() -> None:
    ns: dict[str, Any] = {}
    report = harden(ns, profile="production", allowed_hosts=HOSTS, trusted_proxies=1)
    assert ns["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert ns["REST_FRAMEWORK"]["NUM_PROXIES"] == 1
    assert ns["DRF_HARDENING"]["TRUSTED_PROXIES"] == 1
    assert entry(report, "SECURE_PROXY_SSL_HEADER").source == "argument"


def test_proxy_address_list_counts_for_num_proxies() -> None:
    ns: dict[str, Any] = {}
    harden(ns, profile="production", allowed_hosts=HOSTS, trusted_proxies=["10.0.0.0/8", "::1"])
    assert ns["DRF_HARDENING"]["TRUSTED_PROXIES"] == ["10.0.0.0/8", "::1"]
    assert ns["REST_FRAMEWORK"]["NUM_PROXIES"] == 2


def test_proxy_ssl_header_can_be_declared_without_xff_proxies() -> None:
    ns: dict[str, Any] = {}
    harden(ns, profile="production", allowed_hosts=HOSTS, secure_proxy_ssl_header=True)
    assert ns["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    ns = {}
    harden(
        ns,
        profile="production",
        allowed_hosts=HOSTS,
        trusted_proxies=1,
        secure_proxy_ssl_header=False,
    )
    assert "SECURE_PROXY_SSL_HEADER" not in ns


def test_hsts_preload_only_when_asked_and_then_w021_is_not_silenced() -> None:
    ns: dict[str, Any] = {}
    report = harden(ns, profile="production", allowed_hosts=HOSTS, hsts_preload=True)
    assert ns["SECURE_HSTS_PRELOAD"] is True
    assert "SILENCED_SYSTEM_CHECKS" not in ns
    assert report.silenced == {}
    ns = {}
    report = harden(ns, profile="production", allowed_hosts=HOSTS)
    assert "preload list" in report.silenced["security.W021"]


def test_user_values_win_and_the_report_says_so() -> None:
    user_logging: dict[str, Any] = {
        "version": 1,
        "handlers": {"mine": {"class": "logging.StreamHandler"}},
        "loggers": {"django.request": {"handlers": ["mine"], "level": "ERROR"}},
    }
    ns: dict[str, Any] = {
        "REST_FRAMEWORK": {"DEFAULT_THROTTLE_RATES": {"user": "1000/day", "burst": "10/s"}},
        "LOGGING": copy.deepcopy(user_logging),
        "MIDDLEWARE": [SESSION, COMMON],
        "CORS_ALLOWED_ORIGINS": ["https://mine.example"],
        "SECURE_REFERRER_POLICY": "same-origin",
    }
    report = harden(ns, profile="production", allowed_hosts=HOSTS)
    rates = ns["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    assert rates == {"user": "1000/day", "burst": "10/s", "anon": "50/minute"}
    kept = entry(report, 'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"]')
    assert (kept.source, kept.value, kept.note) == ("user", "1000/day", "preset: '100/minute'")
    assert entry(report, 'REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["anon"]').source == "preset"
    assert ns["CORS_ALLOWED_ORIGINS"] == ["https://mine.example"]
    assert entry(report, "CORS_ALLOWED_ORIGINS").source == "user"
    assert ns["SECURE_REFERRER_POLICY"] == "same-origin"
    assert ns["LOGGING"]["handlers"]["mine"] == user_logging["handlers"]["mine"]
    assert ns["LOGGING"]["loggers"]["django.request"] == user_logging["loggers"]["django.request"]
    assert entry(report, 'LOGGING["loggers"]["django.request"]').source == "user"
    # Existing middleware keep their order; the missing ones are added around them.
    assert ns["MIDDLEWARE"][6:8] == [SESSION, COMMON]
    assert ns["MIDDLEWARE"][8:] == [CSRF, CLICKJACKING]
    assert ns["MIDDLEWARE"].index(CORS_MIDDLEWARE) < ns["MIDDLEWARE"].index(COMMON)
    assert (
        entry(report, f'MIDDLEWARE["{SESSION}"]'.replace(SESSION, CORS_MIDDLEWARE)).source
        == "preset"
    )


def test_keyword_arguments_win_over_user_values() -> None:
    ns: dict[str, Any] = {"CORS_ALLOWED_ORIGINS": ["https://old.example"], "ALLOWED_HOSTS": ["old"]}
    report = harden(
        ns, profile="production", allowed_hosts=HOSTS, cors_allowed_origins=["https://new.example"]
    )
    assert ns["CORS_ALLOWED_ORIGINS"] == ["https://new.example"]
    assert ns["ALLOWED_HOSTS"] == HOSTS
    assert entry(report, "CORS_ALLOWED_ORIGINS").source == "argument"


def test_profile_argument_wins_over_a_profile_in_settings() -> None:
    ns: dict[str, Any] = {"DRF_HARDENING": {"PROFILE": "development", "THROTTLE_CACHE": "throttle"}}
    harden(ns, profile="production", allowed_hosts=HOSTS)
    assert ns["DRF_HARDENING"]["PROFILE"] == "production"
    assert ns["DRF_HARDENING"]["THROTTLE_CACHE"] == "throttle"


def test_existing_middleware_are_not_moved() -> None:
    ns: dict[str, Any] = {"MIDDLEWARE": [COMMON, CORS_MIDDLEWARE, SECURITY_MIDDLEWARE]}
    report = harden(ns, profile="development")
    # The request id goes first, before everything that can answer or log.
    assert ns["MIDDLEWARE"][:4] == [
        REQUEST_ID_MIDDLEWARE,
        COMMON,
        CORS_MIDDLEWARE,
        SECURITY_MIDDLEWARE,
    ]
    assert entry(report, f'MIDDLEWARE["{CORS_MIDDLEWARE}"]').source == "user"


def test_middleware_goes_to_its_documented_place() -> None:
    ns: dict[str, Any] = {"MIDDLEWARE": [SESSION, COMMON]}
    report = harden(ns, profile="development")
    expected_head = [
        REQUEST_ID_MIDDLEWARE,
        SECURITY_MIDDLEWARE,
        CORS_MIDDLEWARE,
        "drf_hardening.middleware.FailedAuthGuardMiddleware",
    ]
    assert ns["MIDDLEWARE"][:4] == expected_head
    # Django's own order around the existing entries; clickjacking last, as Django puts it.
    assert ns["MIDDLEWARE"][6:] == [SESSION, COMMON, CSRF, CLICKJACKING]
    for position, name in enumerate(ns["MIDDLEWARE"]):
        if name != SESSION:
            assert entry(report, f'MIDDLEWARE["{name}"]').value == f"position {position}"


def test_request_id_middleware_goes_above_the_projects_security_middleware() -> None:
    # startproject's list starts with SecurityMiddleware: its HTTPS redirect and the 400
    # for a foreign Host must carry the request id of their log line.
    ns: dict[str, Any] = {"MIDDLEWARE": [SECURITY_MIDDLEWARE, SESSION, COMMON]}
    harden(ns, profile="development")
    assert ns["MIDDLEWARE"][:3] == [REQUEST_ID_MIDDLEWARE, SECURITY_MIDDLEWARE, CORS_MIDDLEWARE]


def test_installed_apps_gain_only_what_is_missing() -> None:
    ns: dict[str, Any] = {"INSTALLED_APPS": ["django.contrib.auth", "rest_framework"]}
    report = harden(ns, profile="development")
    assert ns["INSTALLED_APPS"] == [
        "django.contrib.auth",
        "rest_framework",
        "corsheaders",
        "drf_hardening",
    ]
    assert entry(report, 'INSTALLED_APPS["rest_framework"]').source == "user"
    assert entry(report, 'INSTALLED_APPS["corsheaders"]').source == "preset"


def test_user_silenced_checks_are_kept() -> None:
    ns: dict[str, Any] = {"SILENCED_SYSTEM_CHECKS": ["admin.E408"]}
    harden(ns, profile="production", allowed_hosts=HOSTS)
    assert ns["SILENCED_SYSTEM_CHECKS"] == ["admin.E408", "security.W021"]


def test_harden_is_idempotent() -> None:
    ns: dict[str, Any] = {"MIDDLEWARE": [COMMON], "REST_FRAMEWORK": {"PAGE_SIZE": 10}}
    first = harden(ns, profile="production", allowed_hosts=HOSTS, trusted_proxies=1)
    snapshot = copy.deepcopy({k: v for k, v in ns.items() if k != REPORT_SETTING})
    second = harden(ns, profile="production", allowed_hosts=HOSTS, trusted_proxies=1)
    assert {k: v for k, v in ns.items() if k != REPORT_SETTING} == snapshot
    assert second.as_dict() == first.as_dict()
    assert entry(second, 'REST_FRAMEWORK["PAGE_SIZE"]').source == "user"


def test_report_is_stored_as_plain_data_and_round_trips() -> None:
    ns: dict[str, Any] = {}
    report = harden(ns, profile="production", allowed_hosts=HOSTS, trusted_proxies=1)
    stored = ns[REPORT_SETTING]
    assert HardeningReport.from_dict(stored).as_dict() == report.as_dict() == stored
    assert entry(report, "SECURE_PROXY_SSL_HEADER").value == ["HTTP_X_FORWARDED_PROTO", "https"]
    text = str(report)
    assert text.startswith("drf-hardening profile: production")
    assert "[harden() argument]" in text
    assert "Silenced security.W021" in text
    assert report.by_source("argument")


def test_library_csp_middleware_is_used_on_this_django() -> None:
    ns: dict[str, Any] = {}
    harden(ns, profile="development")
    expected = (
        "django.middleware.csp.ContentSecurityPolicyMiddleware"
        if django.VERSION >= (6, 0)
        else "drf_hardening.middleware.ContentSecurityPolicyMiddleware"
    )
    assert expected in ns["MIDDLEWARE"]
