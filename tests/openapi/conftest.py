"""Fixtures of tests/openapi: the test API's settings and its generated schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import patched_settings

from tests.openapi.configuration import FORMATS, RATES, SCHEMA_CLASS, api_settings
from tests.openapi.urls import API_URLCONF, SPECTACULAR

__all__ = ["FORMATS", "RATES", "SCHEMA_CLASS", "api_settings", "configure", "generate_schema"]


def configure(settings: Any, error_format: str = "envelope", **hardening: Any) -> None:
    """Apply ``api_settings`` to pytest-django's ``settings`` fixture."""
    for name, value in api_settings(error_format, **hardening).items():
        setattr(settings, name, value)


def generate_schema(**spectacular: Any) -> dict[str, Any]:
    """The schema of the test API, as JSON, with drf-spectacular's warnings reset."""
    GENERATOR_STATS.reset()
    with patched_settings({**SPECTACULAR, **spectacular}):
        generator = SchemaGenerator(urlconf=API_URLCONF)  # type: ignore[no-untyped-call]
        schema = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
        rendered = OpenApiJsonRenderer().render(schema, renderer_context={})
    result: dict[str, Any] = json.loads(rendered)
    return result


@pytest.fixture
def schema_for(settings: Any) -> Callable[..., dict[str, Any]]:
    """``schema_for("problem", THROTTLE_FAIL_OPEN=False)``: configure, then generate."""

    def make(error_format: str = "envelope", **hardening: Any) -> dict[str, Any]:
        configure(settings, error_format, **hardening)
        return generate_schema()

    return make


@pytest.fixture
def schema(schema_for: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return schema_for()
