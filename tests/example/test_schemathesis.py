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
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from tasks.models import Task

TOKEN = "5c4e3a1b" * 5  # a fixed key: the logout operation deletes it, each example restores it


from taskmanager.wsgi import application  # noqa: E402

# Loaded at collection: the schema view needs neither the database nor a token.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


# The formats of tasks.schema (StrictCharField) and the password: values the API accepts,
# so that "schema-valid request rejected" means a wrong schema, not an unlucky string.
WORD = r"[A-Za-z0-9]{1,12}"
schemathesis.openapi.format(
    "strict-text(digits,letters,spaces)", st.from_regex(rf"\A{WORD}( {WORD}){{0,4}}\Z")
)
schemathesis.openapi.format("strict-text", st.from_regex(rf"\A{WORD}( {WORD}){{0,2}}\Z"))
schemathesis.openapi.format(
    "strict-text(multiline)", st.from_regex(r"\A[A-Za-z0-9.,!?]{1,20}(\n[A-Za-z0-9 .,!?]{0,20}){0,3}\Z")
)
schemathesis.openapi.format(
    "strict-identifier(digits,letters,punctuation,symbols)", st.from_regex(r"\A[a-z][a-z0-9_.@+-]{2,20}\Z")
)
# Passes AUTH_PASSWORD_VALIDATORS: long, not numeric, not common, not like a username.
schemathesis.openapi.format("password", st.from_regex(r"\A[A-Z][a-z]{5}-[0-9]{4}-[a-z]{6}\Z"))


@pytest.fixture
def owner(db: None) -> Any:
    user = get_user_model().objects.create_user("schemathesis", password="st-pass-4410-long")
    for i in range(3):
        Task.objects.create(created_by=user, title=f"Existing task {i}")
    return user


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,  # the same examples on every run
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_matches_its_schema(case: Any, owner: Any) -> None:
    # Each example starts with no throttle counted and a valid token, so the run
    # explores the API rather than a wall of 429s and 401s (both are documented and
    # their own tests are in test_api.py).
    cache.clear()
    get_user_model().objects.exclude(pk=owner.pk).delete()  # registered by earlier examples
    Token.objects.get_or_create(user=owner, defaults={"key": TOKEN})
    excluded = []
    if case.operation.label == "POST /api/auth/token/":
        # Well-formed but wrong credentials are a 400, by DRF's contract for this
        # view (kept by drf-hardening): schema-valid, and rightly rejected.
        excluded.append(schemathesis.checks.positive_data_acceptance)
    if case.operation.label == "GET /api/tasks/":
        # drf_hardening.pagination.PageNumberPagination, like DRF's, answers
        # ?page_size=abc with the default page size instead of a 400.
        excluded.append(schemathesis.checks.negative_data_rejection)
    case.call_and_validate(
        headers={"Authorization": f"Token {TOKEN}"}, excluded_checks=excluded
    )
