"""drf_hardening.checks.auth: W080 (DRF's plain tokens), W081 (no TTL), W082 (idle vs interval)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from drf_hardening.checks import auth

DRF_TOKEN = "rest_framework.authentication.TokenAuthentication"
OURS = "drf_hardening.tokens.authentication.TokenAuthentication"


def ids(*functions: Any) -> list[str]:
    return [message.id for function in functions for message in function()]


@pytest.fixture
def production(settings: Any) -> Any:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    return settings


@pytest.mark.parametrize("classes", [[DRF_TOKEN], (OURS, DRF_TOKEN)])
def test_drf_plain_tokens_in_production_warn(production: Any, classes: Any) -> None:
    production.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": classes}
    [message] = auth.check_plain_text_tokens()
    assert message.id == "drf_hardening.W080"
    assert message.hint is not None
    assert "drf_hardening.tokens" in message.hint
    assert "import_drf_tokens" in message.hint
    assert DRF_TOKEN in message.msg


@pytest.mark.parametrize(
    ("profile", "classes"),
    [("production", [OURS]), ("production", None), ("production", DRF_TOKEN),
     ("development", [DRF_TOKEN]), (None, [DRF_TOKEN])],
    ids=["ours", "drf-default", "bare-string-is-E011", "development", "no-profile"],
)  # fmt: skip
def test_no_w080_otherwise(settings: Any, profile: str | None, classes: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": profile}
    settings.REST_FRAMEWORK = {} if classes is None else {"DEFAULT_AUTHENTICATION_CLASSES": classes}
    assert auth.check_plain_text_tokens() == []


def test_ttl_none_in_production_warns(production: Any) -> None:
    production.DRF_HARDENING = {"PROFILE": "production", "TOKEN_TTL": None}
    [message] = auth.check_token_lifetime()
    assert message.id == "drf_hardening.W081"
    assert "TOKEN_TTL" in message.msg


@pytest.mark.parametrize("value", [timedelta(days=30), 3600, "invalid-serves-the-default"], ids=str)
def test_a_ttl_in_production_is_fine(production: Any, value: Any) -> None:
    production.DRF_HARDENING = {"PROFILE": "production", "TOKEN_TTL": value}
    assert auth.check_token_lifetime() == []


def test_ttl_none_is_fine_in_development(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "development", "TOKEN_TTL": None}
    assert auth.check_token_lifetime() == []


def test_token_checks_need_the_tokens_app(production: Any) -> None:
    production.DRF_HARDENING = {
        "PROFILE": "production",
        "TOKEN_TTL": None,
        "TOKEN_IDLE_TTL": 60,
    }
    production.INSTALLED_APPS = [a for a in production.INSTALLED_APPS if a != auth.TOKENS_APP]
    assert ids(auth.check_token_lifetime, auth.check_idle_interval) == []


@pytest.mark.parametrize(
    ("idle", "interval"),
    [(300, 300), (60, timedelta(minutes=5)), (timedelta(seconds=1), 1)],
)
def test_idle_ttl_not_longer_than_the_interval_warns(
    settings: Any, idle: Any, interval: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_IDLE_TTL": idle, "TOKEN_LAST_USED_INTERVAL": interval}
    [message] = auth.check_idle_interval()
    assert message.id == "drf_hardening.W082"


@pytest.mark.parametrize(
    ("idle", "interval"),
    [(None, 300), (3600, 300), (1, 0), (timedelta(hours=1), timedelta(minutes=5)), ("x", 1)],
)
def test_idle_ttl_longer_than_the_interval_is_fine(settings: Any, idle: Any, interval: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_IDLE_TTL": idle, "TOKEN_LAST_USED_INTERVAL": interval}
    assert auth.check_idle_interval() == []


def test_defaults_pass(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [OURS]}
    assert ids(*auth.CHECKS) == []


def test_checks_are_bound(production: Any) -> None:
    production.REST_FRAMEWORK = {"DEFAULT_AUTHENTICATION_CLASSES": [DRF_TOKEN]}
    production.ALLOWED_HOSTS = ["api.example.com"]
    with pytest.raises(SystemCheckError, match=r"drf_hardening\.W080"):
        call_command("check", "--fail-level", "WARNING", "--tag", "security")
