"""Fixtures of the example project's tests (run with ``--ds=taskmanager.settings``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tasks.models import Task

pytest_plugins = ["tests.services"]

PASSWORD = "a-long-test-passphrase-83"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1,000,000 rounds are the point in production and minutes here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The throttles count in the cache: each test starts with no requests counted.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client(db: None) -> Callable[[str], APIClient]:
    """A client signed in (with a token) as a new user of that name."""

    def make(username: str) -> APIClient:
        user = get_user_model().objects.create_user(username=username, password=PASSWORD)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user  # type: ignore[attr-defined]
        return client

    return make


@pytest.fixture
def alice(make_client: Callable[[str], APIClient]) -> APIClient:
    return make_client("alice")


@pytest.fixture
def bob(make_client: Callable[[str], APIClient]) -> APIClient:
    return make_client("bob")


@pytest.fixture
def alice_task(alice: Any) -> Task:
    return Task.objects.create(created_by=alice.user, title="Alice task", description="private")
