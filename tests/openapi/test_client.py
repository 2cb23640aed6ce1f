"""A client generated from the schema parses real error bodies into typed objects.

datamodel-code-generator turns the schema's components into pydantic models
(for Python 3.10, the oldest supported); the client picks the model for a
response the way generated clients do, from the operation's documented
response for that status and content type. A body the schema describes
wrongly fails validation here. tests/example/test_openapi.py does the same
with openapi-python-client against the running example project.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType
from datamodel_code_generator.format import Formatter, PythonVersion
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from pydantic import BaseModel
from rest_framework.test import APIClient

from drf_hardening.tokens.service import issue_token
from tests.openapi.conftest import FORMATS

Schema = dict[str, Any]


@pytest.fixture
def models_for(tmp_path: Path) -> Iterator[Callable[[Schema], ModuleType]]:
    names: list[str] = []

    def make(schema: Schema) -> ModuleType:
        name = f"generated_models_{len(names)}"
        output = tmp_path / f"{name}.py"
        generate(
            json.dumps(schema),
            input_file_type=InputFileType.OpenAPI,
            output=output,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_310,
            formatters=[Formatter.BUILTIN],
        )
        spec = importlib.util.spec_from_file_location(name, output)
        assert spec
        assert spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        names.append(name)
        spec.loader.exec_module(module)
        return module

    yield make
    for name in names:
        sys.modules.pop(name, None)


def parse(schema: Schema, models: ModuleType, method: str, path: str, response: Any) -> Any:
    """What a generated client does with a response: the documented model, validated."""
    documented = schema["paths"][path][method]["responses"][str(response.status_code)]
    media_type = response["Content-Type"].split(";")[0]
    ref = documented["content"][media_type]["schema"]["$ref"]
    model: type[BaseModel] = getattr(models, ref.rsplit("/", 1)[1])
    return model.model_validate(response.json())


def plain(value: Any) -> Any:
    """An enum member's value (a pointer the schema lists), or the value itself (a pattern)."""
    return getattr(value, "value", value)


# The strict-text formats are the API's own names: the models keep them as plain str.
@pytest.mark.filterwarnings("ignore:format of 'strict-:UserWarning")
@pytest.mark.parametrize("error_format", FORMATS)
def test_generated_models_parse_real_400_404_and_429(
    error_format: str,
    schema_for: Callable[..., Schema],
    models_for: Callable[[Schema], ModuleType],
    settings: Any,
    db: None,
) -> None:
    schema = schema_for(error_format)
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["notes"] = (
        "2/min"  # the third note is one too many
    )
    models = models_for(schema)
    cache.clear()
    user = get_user_model().objects.create_user("reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, name='t')[1]}")
    Group.objects.create(name="Existing")

    short = client.post("/notes/", {"title": "x"}, format="json")
    # Unknown keys are refused before any field is validated.
    unknown = client.post("/notes/", {"title": "Fine", "color": "red"}, format="json")
    missing = client.get("/groups/999/")
    throttled = client.post("/notes/", {"title": "Fine"}, format="json")
    statuses = [r.status_code for r in (short, unknown, missing, throttled)]
    assert statuses == [400, 400, 404, 429]

    invalid = parse(schema, models, "post", "/notes/", short)
    extra = parse(schema, models, "post", "/notes/", unknown)
    not_found = parse(schema, models, "get", "/groups/{id}/", missing)
    too_many = parse(schema, models, "post", "/notes/", throttled)
    if error_format == "envelope":
        assert (
            invalid.error.fields.title[0].code.value == "too_short"
        )  # an Enum of the field's codes
        assert extra.error.fields.model_extra["color"][0].code.value == "unknown_field"
        assert (not_found.error.status, not_found.error.code) == (404, "not_found")
        assert too_many.error.code == "throttled"
        assert too_many.error.request_id == throttled["X-Request-ID"]
    elif error_format == "problem":
        entries = [*invalid.errors, *extra.errors]
        found = [(plain(entry.pointer), plain(entry.code)) for entry in entries]
        assert found == [("#/title", "too_short"), ("#/color", "unknown_field")]
        assert (not_found.status, not_found.code, not_found.instance) == (
            404,
            "not_found",
            "/groups/999/",
        )
        assert (too_many.status, too_many.title) == (429, "Too Many Requests")
    else:
        fields = invalid.root.root if hasattr(invalid.root, "root") else invalid.root
        assert fields.title == ["Ensure this field has at least 2 characters."]
        extras = extra.root.root if hasattr(extra.root, "root") else extra.root
        assert extras.model_extra == {"color": ["Unknown field."]}
        assert not_found.detail == "Not found."
        assert too_many.detail.startswith("Request was throttled.")
