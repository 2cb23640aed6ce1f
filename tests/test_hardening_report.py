"""manage.py hardening_report in process (test_hardened_project.py runs it on a real project).

``call_command`` skips the checks that Django runs before a command; ``manage()`` goes
through ``ManagementUtility``, as ``manage.py`` does, so a check that stops every other
command is met here as a user meets it (test_first_hour.py does it in a real project).
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import SystemCheckError

from drf_hardening import harden


def report(*args: str) -> str:
    out = StringIO()
    call_command("hardening_report", *args, stdout=out)
    return out.getvalue()


def manage(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """``manage.py hardening_report ARGS``: Django's pre-command checks included."""
    ManagementUtility(["manage.py", "hardening_report", *args]).execute()
    return capsys.readouterr().out


def production_with_debug(settings: Any) -> None:
    """A project that ``check``, ``migrate`` and ``runserver`` refuse: E010."""
    namespace: dict[str, Any] = {}
    harden(namespace, profile="production", allowed_hosts=["api.example.com"])
    settings.DRF_HARDENING_REPORT = namespace["DRF_HARDENING_REPORT"]
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.DEBUG = True


def test_without_harden_the_command_says_so() -> None:
    text = report()
    assert text.startswith("harden() was not called in this project's settings.")
    assert "System checks: no issues." in text


def test_check_messages_are_listed_with_their_hints(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    text = report()
    assert "drf_hardening.E001 (ERROR): CORS_ALLOW_ALL_ORIGINS is True" in text
    assert "    HINT: List the origins" in text


def test_silenced_checks_are_left_out(settings: Any) -> None:
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOW_CREDENTIALS = True
    settings.SILENCED_SYSTEM_CHECKS = ["drf_hardening.E001"]
    assert "drf_hardening.E001" not in report()


def test_json_output_has_the_report_and_the_checks(settings: Any) -> None:
    namespace: dict[str, Any] = {}
    harden(namespace, profile="development")
    settings.DRF_HARDENING_REPORT = namespace["DRF_HARDENING_REPORT"]
    settings.DRF_HARDENING = {"PROFILE": "development"}
    # Every setting harden() wrote that the checks read (SPECTACULAR_SETTINGS: W101).
    for name in ("REST_FRAMEWORK", "MIDDLEWARE", "CSRF_FAILURE_VIEW", "SPECTACULAR_SETTINGS"):
        setattr(settings, name, namespace[name])
    settings.ROOT_URLCONF = "tests.urls_hardened"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    data = json.loads(report("--json"))
    assert data["report"]["profile"] == "development"
    [check] = data["checks"]
    assert set(check) == {"id", "level", "message", "hint"}
    assert (check["id"], check["level"]) == ("drf_hardening.E007", "ERROR")
    assert "SECURE_PROXY_SSL_HEADER" in check["message"]
    assert "trusted_proxies" in check["hint"]


def test_json_output_without_harden(settings: Any) -> None:
    assert json.loads(report("--json")) == {
        "report": None,
        "throttle_store": "cache 'default': LocMemStore",
        "checks": [],
    }


def test_text_output_lists_each_setting_with_its_source(settings: Any) -> None:
    namespace: dict[str, Any] = {"SECURE_REFERRER_POLICY": "same-origin"}
    harden(namespace, profile="development", cors_allowed_origins=["http://localhost:5173"])
    settings.DRF_HARDENING_REPORT = namespace["DRF_HARDENING_REPORT"]
    lines = report().splitlines()
    assert lines[0] == "drf-hardening profile: development"
    [origins] = [line for line in lines if line.startswith("CORS_ALLOWED_ORIGINS ")]
    assert origins.endswith("['http://localhost:5173']  [harden() argument]")
    [referrer] = [line for line in lines if line.startswith("SECURE_REFERRER_POLICY ")]
    assert referrer.endswith("'same-origin'  [your settings (kept)]  preset: 'no-referrer'")


def test_report_is_printed_while_a_check_fails(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    production_with_debug(settings)
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.E010"):
        call_command("check")
    lines = manage(capsys).splitlines()
    assert lines[0] == "drf-hardening profile: production"
    assert any(line.startswith("SECURE_SSL_REDIRECT ") for line in lines)
    [summary] = [line for line in lines if line.startswith("System checks:")]
    assert summary.endswith("error(s) stop manage.py check, migrate and runserver.")
    assert "drf_hardening.E010 (ERROR): DEBUG is True under the production profile." in lines


def test_json_lists_the_failing_checks(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    production_with_debug(settings)
    data = json.loads(manage(capsys, "--json"))
    assert data["report"]["profile"] == "production"
    assert {"drf_hardening.E010": "ERROR"}.items() <= {
        check["id"]: check["level"] for check in data["checks"]
    }.items()


def test_djangos_own_checks_are_listed_too(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # A check of Django's own stops runserver just the same: no "default" cache.
    settings.CACHES = {"other": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    text = manage(capsys)
    assert text.startswith("harden() was not called in this project's settings.")
    assert "caches.E001 (ERROR): You must define a 'default' cache" in text
    assert "Throttle store: none (InvalidCacheBackendError)" in text


def test_deploy_adds_the_deployment_checks(settings: Any) -> None:
    assert "security.W009" not in report()
    text = report("--deploy")
    assert "security.W009 (WARNING): Your SECRET_KEY" in text
    assert "HINT: None" not in text  # Django's own messages may come without a hint
