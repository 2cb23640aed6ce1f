"""The schema is valid OpenAPI 3 and drf-spectacular has nothing to warn about, in every format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.openapi.conftest import FORMATS

VARIANTS = [{}, {"THROTTLE_FAIL_OPEN": False}, {"RATELIMIT_HEADERS": False, "MAX_PAGE_SIZE": 7}]


@pytest.mark.parametrize("error_format", FORMATS)
@pytest.mark.parametrize("hardening", VARIANTS)
def test_schema_is_valid_and_generated_without_warnings(
    error_format: str, hardening: dict[str, Any], schema_for: Callable[..., dict[str, Any]]
) -> None:
    schema = schema_for(error_format, **hardening)
    # drf-spectacular's --fail-on-warn looks at these counters.
    assert not GENERATOR_STATS._warn_cache, dict(GENERATOR_STATS._warn_cache)
    assert not GENERATOR_STATS._error_cache, dict(GENERATOR_STATS._error_cache)
    validate(schema)  # openapi-spec-validator
    validate_schema(schema)  # type: ignore[no-untyped-call]  # drf-spectacular's --validate


def test_the_validator_catches_a_malformed_header(schema: dict[str, Any]) -> None:
    response = schema["paths"]["/ping/"]["get"]["responses"]["500"]
    response["headers"]["X-Request-ID"] = {"required": "yes"}
    with pytest.raises(OpenAPIValidationError):
        validate(schema)


def references(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in references(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in references(value)]
    return []


@pytest.mark.parametrize("error_format", FORMATS)
def test_every_reference_resolves(
    error_format: str, schema_for: Callable[..., dict[str, Any]]
) -> None:
    # openapi-spec-validator does not follow a $ref that points nowhere.
    schema = schema_for(error_format)
    refs = references(schema)
    assert "#/components/headers/X-Request-ID" in refs
    for ref in refs:
        _, components, kind, name = ref.split("/")
        assert name in schema[components][kind], ref
