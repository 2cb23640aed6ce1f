"""The project's settings from environment variables, and the seed_demo command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from drf_hardening.tokens.models import AuthToken
from taskmanager.settings import env_flag, env_int, env_list, parse_rates
from tasks.models import Task
from tests.example.conftest import EXAMPLE_PROJECT, TOKEN_PATTERN
from tests.services import RedisServer

REPORT = """
import json
from django.conf import settings
print(json.dumps({
    "db": settings.DATABASES["default"]["ENGINE"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "rates": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "hosts": settings.ALLOWED_HOSTS,
    "origins": settings.CORS_ALLOWED_ORIGINS,
    "proxies": settings.DRF_HARDENING["TRUSTED_PROXIES"],
    "fail_open": settings.DRF_HARDENING.get("THROTTLE_FAIL_OPEN"),
    "profile": settings.DRF_HARDENING["PROFILE"],
    "debug": settings.DEBUG,
    "ssl_redirect": getattr(settings, "SECURE_SSL_REDIRECT", False),
}))
"""


def load_settings(**env: str) -> Any:
    """Import taskmanager.settings in a fresh process with these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EXAMPLE_", "DRF_HARDENING_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", REPORT],
        env={
            **clean,
            "PYTHONPATH": str(EXAMPLE_PROJECT),
            "DJANGO_SETTINGS_MODULE": "taskmanager.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_settings_defaults_need_no_services() -> None:
    result = load_settings()
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["db"] == "django.db.backends.sqlite3"
    assert loaded["db_name"].endswith("example_project/db.sqlite3")
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["profile"] == "development"
    assert loaded["debug"] is False
    assert loaded["rates"] == {
        "tasks": "60/minute",
        "register": "10/hour",
        "user": "100/minute",
        "anon": "50/minute",
    }
    assert loaded["proxies"] == 0


def test_settings_switch_to_postgresql_and_redis() -> None:
    result = load_settings(
        DATABASE_URL="postgres://tasks:secret@db.internal:5432/tasks",
        REDIS_URL="redis://cache.internal:6379/1",
        EXAMPLE_THROTTLE_RATES="tasks=50/day, user=100000/day",
        DJANGO_CORS_ALLOWED_ORIGINS="https://app.example.com",
        DJANGO_TRUSTED_PROXIES="1",
        DRF_HARDENING_THROTTLE_FAIL_OPEN="0",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["db"] == "django.db.backends.postgresql"
    assert loaded["db_name"] == "tasks"
    assert loaded["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["cache_location"] == "redis://cache.internal:6379/1"
    assert loaded["rates"]["tasks"] == "50/day"
    assert loaded["rates"]["user"] == "100000/day"  # the project's value wins over the preset's
    assert loaded["rates"]["register"] == "10/hour"
    assert loaded["origins"] == ["https://app.example.com"]
    assert loaded["proxies"] == 1
    assert loaded["fail_open"] is False


def test_settings_production_profile() -> None:
    result = load_settings(
        DRF_HARDENING_PROFILE="production",
        DJANGO_SECRET_KEY="a-production-secret-" + "y" * 40,
        DJANGO_ALLOWED_HOSTS="api.example.com, www.example.com",
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert loaded["profile"] == "production"
    assert loaded["hosts"] == ["api.example.com", "www.example.com"]
    assert loaded["ssl_redirect"] is True
    assert loaded["debug"] is False


def test_settings_production_without_secret_key_fails() -> None:
    result = load_settings(
        DRF_HARDENING_PROFILE="production", DJANGO_ALLOWED_HOSTS="api.example.com"
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_settings_unknown_profile_fails_at_start() -> None:
    result = load_settings(DRF_HARDENING_PROFILE="staging")
    assert result.returncode != 0
    assert "DRF_HARDENING_PROFILE must be production or development" in result.stderr


def test_settings_bad_throttle_rates_fail_at_start() -> None:
    result = load_settings(EXAMPLE_THROTTLE_RATES="tasks:50/day")
    assert result.returncode != 0
    assert "EXAMPLE_THROTTLE_RATES takes comma-separated scope=rate pairs" in result.stderr


def test_parse_rates() -> None:
    assert parse_rates("") == {}
    assert parse_rates(" tasks = 5/min ,, anon=1/s ") == {"tasks": "5/min", "anon": "1/s"}
    for bad in ("tasks", "=5/min", "tasks="):
        with pytest.raises(ImproperlyConfigured, match="scope=rate"):
            parse_rates(bad)


def test_env_flag_and_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EXAMPLE_FLAG", raising=False)
    assert env_flag("EXAMPLE_FLAG", True) is True
    monkeypatch.setenv("EXAMPLE_FLAG", "0")
    assert env_flag("EXAMPLE_FLAG", True) is False
    monkeypatch.setenv("EXAMPLE_FLAG", "yes")
    assert env_flag("EXAMPLE_FLAG", False) is True
    monkeypatch.setenv("EXAMPLE_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="EXAMPLE_FLAG must be 1 or 0"):
        env_flag("EXAMPLE_FLAG", False)
    assert env_list("EXAMPLE_LIST_UNSET") is None
    assert env_int("EXAMPLE_INT_UNSET", 7) == 7
    monkeypatch.setenv("EXAMPLE_INT", "2")
    assert env_int("EXAMPLE_INT", 0) == 2
    monkeypatch.setenv("EXAMPLE_INT", "two")
    with pytest.raises(ImproperlyConfigured, match="EXAMPLE_INT must be a whole number"):
        env_int("EXAMPLE_INT", 0)
    monkeypatch.setenv("EXAMPLE_LIST", " a, ,b ")
    assert env_list("EXAMPLE_LIST") == ["a", "b"]


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_how_to_call_the_api() -> None:
    first, second = StringIO(), StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", "--base-url", "http://localhost:9000/", stdout=second)
    assert get_user_model().objects.count() == 2
    assert Task.objects.count() == 4
    assert "2 user(s) and 4 task(s) created" in first.getvalue()
    assert "0 user(s) and 0 task(s) created" in second.getvalue()
    tokens = [re.findall(rf"Token:\s+({TOKEN_PATTERN})", out.getvalue()) for out in (first, second)]
    assert [len(found) for found in tokens] == [1, 1]
    token = tokens[1][0]
    # Stored hashed, a token cannot be printed twice: each run issues one, both work.
    assert tokens[0][0] != token
    assert AuthToken.objects.active().filter(user__username="alice", name="seed_demo").count() == 2
    assert "http://127.0.0.1:8000/api/docs/" in first.getvalue()
    assert (
        f'curl -H "Authorization: Token {token}" http://localhost:9000/api/tasks/'
        in second.getvalue()
    )
    assert token not in str(list(AuthToken.objects.values()))
    assert get_user_model().objects.get(username="alice").check_password("alice-demo-pass-7391")


@pytest.mark.django_db
def test_seed_demo_refuses_the_production_profile(settings: Any) -> None:
    settings.DRF_HARDENING = {**settings.DRF_HARDENING, "PROFILE": "production"}
    with pytest.raises(CommandError, match="production profile"):
        call_command("seed_demo", stdout=StringIO())
    assert get_user_model().objects.count() == 0


def deploy_check(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "EXAMPLE_", "DRF_HARDENING_"))
    }
    production = {
        "DRF_HARDENING_PROFILE": "production",
        "DJANGO_SECRET_KEY": "deploy-check-" + "k3y" * 20,
        "DJANGO_ALLOWED_HOSTS": "api.example.com",
        "DJANGO_TRUSTED_PROXIES": "1",
    }
    return subprocess.run(
        [
            sys.executable,
            str(EXAMPLE_PROJECT / "manage.py"),
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_passes_the_deploy_checks_with_redis(redis_server: RedisServer) -> None:
    # check --deploy connects to the throttle store once (E038): a real Redis answers.
    result = deploy_check(REDIS_URL=redis_server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_with_the_local_memory_cache_warns() -> None:
    result = deploy_check()
    assert result.returncode != 0
    assert "drf_hardening.W026" in result.stderr
