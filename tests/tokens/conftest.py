"""Fixtures of the token tests: users, a replaceable clock, the token views' URLconf."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from drf_hardening.tokens import clock

PASSWORD = "correct-horse-9"
#: The REST_FRAMEWORK of these tests: the library's tokens, its exception handler.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["drf_hardening.tokens.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler",
}


@pytest.fixture(autouse=True)
def _token_project(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "tests.tokens.urls"
    settings.REST_FRAMEWORK = REST_FRAMEWORK
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests
    cache.clear()  # the login throttle counts in the cache
    yield
    cache.clear()


@pytest.fixture
def alice(db: None) -> User:
    return User.objects.create_user("alice", password=PASSWORD)


@pytest.fixture
def bob(db: None) -> User:
    return User.objects.create_user("bob", password=PASSWORD)


class Clock:
    """A clock the test moves by hand: ``clock.advance(hours=1)``."""

    def __init__(self, start: datetime) -> None:
        self.time = start

    def __call__(self) -> datetime:
        return self.time

    def advance(self, **delta: float) -> None:
        self.time += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock(clock.now())
    monkeypatch.setattr(clock, "now", fake)
    return fake


def refusal(response: Any) -> tuple[int, str, str]:
    """What a client sees of a 401 (status, body, header names), but the request id."""
    assert response.status_code == 401, response.content
    body = response.json()
    body["error"].pop("request_id", None)
    return response.status_code, json.dumps(body), ",".join(sorted(response.headers))


def bearer(token: str, scheme: str = "Token") -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"{scheme} {token}"}


@pytest.fixture
def me(client: Client) -> Callable[..., Any]:
    """``me(token)``: GET /me/ with that token (the ``scheme`` keyword picks Token or Bearer)."""

    def get(token: str, scheme: str = "Token", **extra: Any) -> Any:
        return client.get("/me/", **bearer(token, scheme), **extra)

    return get
