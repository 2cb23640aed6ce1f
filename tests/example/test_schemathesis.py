"""schemathesis against the whole project, in process: every response matches the schema.

Positive and negative examples for every operation, with a fixed seed and a
bounded number of examples, so a failure here is reproducible. The same run
from the command line, against ``make demo``, is in docs/example.md.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from hypothesis import HealthCheck, settings

import tests.example.schemathesis_hooks  # noqa: F401  (the API's string formats)
from taskmanager.wsgi import application
from tasks.models import Task
from tests.example.conftest import fixed_token

# Loaded at collection: the schema view needs neither the database nor a token.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The examples and fuzzing phases only: the coverage phase takes minutes to build its
# boundary cases for the 2,000-character description with a custom format.
schema.config.phases.coverage.enabled = False


@pytest.fixture
def owner(db: None) -> Any:
    user = get_user_model().objects.create_user("schemathesis", password="st-pass-4410-long")
    for i in range(3):
        Task.objects.create(created_by=user, title=f"Existing task {i}")
    return user


@schema.parametrize()
@settings(
    max_examples=60,
    derandomize=True,  # the same examples on every run
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_matches_its_schema(case: Any, owner: Any) -> None:
    # Each example starts with no throttle counted and a valid token, so the run
    # explores the API rather than a wall of 429s and 401s (both are documented and
    # their own tests are in test_api.py).
    cache.clear()
    get_user_model().objects.exclude(pk=owner.pk).delete()  # registered by earlier examples
    # A fixed token: the logout operations revoke it, each example makes it live again.
    token = fixed_token(owner, "schemathesis")
    excluded = []
    if case.operation.label == "POST /api/auth/token/":
        # Well-formed but wrong credentials are a 400, by DRF's contract for this
        # view (kept by drf-hardening): schema-valid, and rightly rejected.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if case.operation.label in ("GET /api/tasks/", "GET /api/auth/tokens/"):
        # A list view ignores query parameters it does not know, as every DRF view
        # does; the ones it knows (page, page_size, completed...) reject bad values.
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)
