"""manage.py hardening_report in process (test_hardened_project.py runs it on a real project)."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from django.core.management import call_command

from drf_hardening import harden


def report(*args: str) -> str:
    out = StringIO()
    call_command("hardening_report", *args, stdout=out)
    return out.getvalue()


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
    for name in ("REST_FRAMEWORK", "MIDDLEWARE", "CSRF_FAILURE_VIEW"):
        setattr(settings, name, namespace[name])
    settings.ROOT_URLCONF = "tests.urls_hardened"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    data = json.loads(report("--json"))
    assert data["report"]["profile"] == "development"
    assert data["checks"] == [
        {
            "id": "drf_hardening.E007",
            "level": "ERROR",
            "message": data["checks"][0]["message"],
            "hint": data["checks"][0]["hint"],
        }
    ]
    assert "SECURE_PROXY_SSL_HEADER" in data["checks"][0]["message"]


def test_json_output_without_harden(settings: Any) -> None:
    assert json.loads(report("--json")) == {"report": None, "checks": []}


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
