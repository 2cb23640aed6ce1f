"""A project configured only by harden(profile="production"): deploy checks, real responses.

Each test runs a fresh interpreter on ``tests.hardened_settings``, so the settings are exactly
what harden() produced, on whichever Django this tox environment installed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import django
import pytest

from tests.services import RedisServer, child_env

ROOT = Path(__file__).resolve().parent.parent
SNIPPETS = ROOT / "docs" / "snippets"
UPDATE = os.environ.get("DRF_HARDENING_UPDATE_SNIPPETS") == "1"


def run(
    *args: str,
    code: str | None = None,
    # A well-formed URL (nothing connects to it but check --deploy, which gets a real one).
    redis_url: str = "redis://127.0.0.1:6379/0",
    cache: str = "redis",
) -> subprocess.CompletedProcess[str]:
    env = child_env(
        {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "tests.hardened_settings",
            "REDIS_URL": redis_url,
            "HARDENED_CACHE": cache,
        }
    )
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "django", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)


# docs/harden.md, "Django's deploy checks", states these two results.
def test_deploy_checks_report_nothing_at_warning_level(redis_server: RedisServer) -> None:
    # --deploy connects to the throttle store once (E038): a real Redis answers.
    result = run("check", "--deploy", "--fail-level", "WARNING", redis_url=redis_server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout


def test_deploy_checks_with_the_local_memory_cache_report_w026_only() -> None:
    result = run("check", "--deploy", cache="locmem")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.findall(r"\((\w+\.[EW]\d+)\)", result.stderr) == ["drf_hardening.W026"]
    strict = run("check", "--deploy", "--fail-level", "WARNING", cache="locmem")
    assert strict.returncode == 1
    assert re.findall(r"\((\w+\.[EW]\d+)\)", strict.stderr) == ["drf_hardening.W026"]


RESPONSES = """
import json, django
django.setup()
from django.test import Client
client = Client()
out = {}
for name, kwargs in {
    "https": {"secure": True, "HTTP_HOST": "api.example.com"},
    "http": {"secure": False, "HTTP_HOST": "api.example.com"},
    "bad_host": {"secure": True, "HTTP_HOST": "evil.example"},
    "spoofed_proto": {
        "secure": False, "HTTP_HOST": "api.example.com", "HTTP_X_FORWARDED_PROTO": "https"
    },
}.items():
    response = client.get("/ping/", **kwargs)
    out[name] = {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def responses(redis_server: RedisServer) -> dict[str, Any]:
    result = run(code=RESPONSES, redis_url=redis_server.url)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def test_https_response_carries_every_security_header(responses: dict[str, Any]) -> None:
    https = responses["https"]
    assert https["status"] == 200
    headers = https["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert headers["Content-Type"] == "application/json"


def test_plain_http_is_redirected_to_https(responses: dict[str, Any]) -> None:
    assert responses["http"]["status"] == 301
    assert responses["http"]["headers"]["Location"] == "https://api.example.com/ping/"


def test_unknown_host_is_rejected_with_400(responses: dict[str, Any]) -> None:
    assert responses["bad_host"]["status"] == 400


def test_forwarded_proto_is_trusted_only_because_a_proxy_was_declared(
    responses: dict[str, Any],
) -> None:
    # trusted_proxies=1 in tests/hardened_settings.py: the proxy overwrites the header.
    assert responses["spoofed_proto"]["status"] == 200


def check_snippet(name: str, text: str, directory: Path = SNIPPETS, update: bool = UPDATE) -> None:
    """Assert that ``directory/name`` holds ``text``; with ``update``, write it first."""
    path = directory / name
    if update:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.read_text() == text, f"{path} is stale: rerun with DRF_HARDENING_UPDATE_SNIPPETS=1"


def test_check_snippet_writes_on_update_and_refuses_a_stale_file(tmp_path: Path) -> None:
    directory = tmp_path / "snippets"
    check_snippet("report.txt", "new output\n", directory, update=True)
    check_snippet("report.txt", "new output\n", directory, update=False)
    with pytest.raises(AssertionError, match=r"report\.txt is stale"):
        check_snippet("report.txt", "newer output\n", directory, update=False)


@pytest.fixture(scope="module")
def report() -> str:
    result = run("hardening_report")
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_hardening_report_is_the_production_profiles(report: str) -> None:
    assert report.startswith("drf-hardening profile: production")
    assert "System checks: no issues." in report
    csp_middleware = (
        "django.middleware.csp" if django.VERSION >= (6, 0) else "drf_hardening.middleware"
    )
    assert f'MIDDLEWARE["{csp_middleware}.ContentSecurityPolicyMiddleware"]' in report


# docs/ shows the output on Django 5.2 LTS; 6.x adds the SECURE_CSP lines (and widens the
# columns). CI runs this module on Django 5.2 only (PROCESS_MODULES, tests/conftest.py).
@pytest.mark.skipif(django.VERSION[:2] != (5, 2), reason="docs/ shows Django 5.2's output")
def test_hardening_report_in_docs_is_the_commands_output(report: str) -> None:
    check_snippet("hardening_report.txt", report)


def test_hardening_report_json_matches_the_text() -> None:
    result = run("hardening_report", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["checks"] == []
    # The mode the process found: Django's RedisCache at REDIS_URL, nothing asked of it.
    assert data["throttle_store"] == "cache 'default': standalone 127.0.0.1:6379"
    assert f"Throttle store: {data['throttle_store']}\n" in run("hardening_report").stdout
    settings = {entry["setting"]: entry for entry in data["report"]["entries"]}
    assert settings["ALLOWED_HOSTS"] == {
        "setting": "ALLOWED_HOSTS",
        "value": ["api.example.com"],
        "source": "argument",
        "note": "",
    }
    assert settings["SECURE_HSTS_SECONDS"]["source"] == "preset"
    assert "security.W021" in data["report"]["silenced"]
