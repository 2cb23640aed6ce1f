"""schemathesis against the test API, once per ERROR_FORMAT: every response as documented.

For each operation, positive and negative examples (a fixed seed, a bounded
number), each response checked by all of schemathesis' response checks:
no 5xx, every status, content type and header documented, every body valid
against its schema. The run's report (requests per operation and status) is
printed with the test's output.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err

from drf_hardening.openapi import AutoSchema
from drf_hardening.tokens.service import issue_token
from tests.openapi import formats
from tests.openapi.conftest import FORMATS, configure

EXAMPLES = 12  # per operation and generation mode
#: Low enough that the examples of POST /notes/ meet its 429 (and its headers).
NOTES_RATE = "8/min"

formats.register()


def excluded_checks(label: str, mode: GenerationMode) -> list[Any]:
    if label == "GET /groups/" and mode is GenerationMode.NEGATIVE:
        # ?page_size= over the cap is served as the cap (documented as `maximum` and in the
        # description): lenient on purpose, so it is not "rejected".
        return [schemathesis.checks.negative_data_rejection]
    return []


def modes(operation: Any) -> list[GenerationMode]:
    """Negative examples need something to break: a body, or a query or path parameter."""
    definition = operation.definition.raw
    breakable = "requestBody" in definition or any(
        parameter.get("in") != "header" for parameter in definition.get("parameters", [])
    )
    return list(GenerationMode) if breakable else [GenerationMode.POSITIVE]


def explore(
    operation: Any, mode: GenerationMode, secret: str, seen: Counter[tuple[str, int]]
) -> None:
    """Send ``EXAMPLES`` cases of ``operation`` in ``mode``; validate every response."""
    excluded = excluded_checks(operation.label, mode)

    # Positive examples address the group that exists, so they can succeed.
    path = {"id": 1} if mode.is_positive and "{id}" in operation.path else None

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    @hypothesis_settings(
        max_examples=EXAMPLES, database=None, suppress_health_check=list(HealthCheck)
    )
    def run(case: Any) -> None:
        # One group with a known id per example; nothing else left by earlier ones.
        Group.objects.all().delete()
        Group.objects.create(pk=1, name="Existing")
        headers = {"Authorization": f"Bearer {secret}"}
        response = case.call(headers=headers)
        seen[case.operation.label, response.status_code] += 1
        case.validate_response(response, headers=headers, excluded_checks=excluded)

    run()


@pytest.mark.parametrize("error_format", FORMATS)
def test_api_matches_its_schema(
    error_format: str, settings: Any, db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(settings, error_format)
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["notes"] = NOTES_RATE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff = get_user_model().objects.create_user("staff", is_staff=True)
    _, secret = issue_token(staff, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/schema/", get_wsgi_application())
    seen: Counter[tuple[str, int]] = Counter()

    for result in schema.get_all_operations():
        assert not isinstance(result, Err), result.err()
        operation = result.ok()
        for mode in modes(operation):
            cache.clear()  # each operation starts with its throttles at zero
            explore(operation, mode, secret, seen)

    with capsys.disabled():
        print(f"\nschemathesis, ERROR_FORMAT={error_format!r}: requests per operation and status")
        for (label, status), count in sorted(seen.items()):
            print(f"  {label:<24} {status}  {count}")
    statuses = {status for _, status in seen}
    assert not {s for s in statuses if s >= 500}
    assert {200, 201, 204, 400, 404, 429} <= statuses


def test_schemathesis_catches_an_undocumented_status(
    settings: Any, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The checks above can fail: a schema that forgets the 404 is caught.
    configure(settings)
    original = AutoSchema.get_error_statuses
    monkeypatch.setattr(
        AutoSchema,
        "get_error_statuses",
        lambda self, operation: [s for s in original(self, operation) if s != 404],
    )
    user = get_user_model().objects.create_user("reader")
    _, secret = issue_token(user, name="schemathesis")
    schema = schemathesis.openapi.from_wsgi("/schema/", get_wsgi_application())
    operation = schema["/groups/{id}/"]["GET"]
    headers = {"Authorization": f"Bearer {secret}"}
    case = operation.Case(path_parameters={"id": 999}, headers=headers)
    response = case.call()
    assert response.status_code == 404
    with pytest.raises(FailureGroup, match=r"Undocumented (HTTP )?status code"):
        case.validate_response(response, headers=headers)
