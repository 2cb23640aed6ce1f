"""What the AutoSchema documents for each operation of the test API, and why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.authentication import SessionAuthentication

from drf_hardening import names
from tests.openapi.app import NoteView
from tests.openapi.conftest import generate_schema

Schema = dict[str, Any]
SchemaFor = Callable[..., Schema]


def responses(schema: Schema, method: str, path: str) -> dict[str, Any]:
    result: dict[str, Any] = schema["paths"][path][method]["responses"]
    return result


def statuses(schema: Schema, method: str, path: str) -> list[int]:
    return sorted(int(status) for status in responses(schema, method, path))


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        # Token required, staff-only writes, paginated, throttled.
        ("get", "/groups/", [200, 400, 401, 403, 404, 406, 429, 500]),
        ("post", "/groups/", [201, 400, 401, 403, 406, 413, 415, 429, 500]),
        ("get", "/groups/{id}/", [200, 401, 403, 404, 406, 429, 500]),
        ("patch", "/groups/{id}/", [200, 400, 401, 403, 404, 406, 413, 415, 429, 500]),
        ("delete", "/groups/{id}/", [204, 401, 403, 404, 406, 429, 500]),
        # AllowAny with an optional token: a bad token is a 401, nothing is a 403.
        ("post", "/notes/", [201, 400, 401, 406, 413, 415, 429, 500]),
        # No authentication, no throttle, no body, no path parameter.
        ("get", "/ping/", [200, 406, 500]),
        ("delete", "/ping/", [204, 406, 500]),
    ],
)
def test_statuses_are_the_ones_the_view_can_give(
    schema: Schema, method: str, path: str, expected: list[int]
) -> None:
    assert statuses(schema, method, path) == expected


def test_error_responses_refer_to_shared_components(schema: Schema) -> None:
    for status in ("401", "404", "429", "500"):
        content = responses(schema, "get", "/groups/")[status]["content"]
        assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    body = responses(schema, "post", "/notes/")["400"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NoteValidationError"}


def test_create_and_update_share_one_validation_component(schema: Schema) -> None:
    def ref(method: str, path: str) -> str:
        body = responses(schema, method, path)["400"]["content"]["application/json"]
        return str(body["schema"]["$ref"])

    assert ref("post", "/groups/") == ref("put", "/groups/{id}/")
    assert ref("patch", "/groups/{id}/").endswith("/PatchedGroupValidationError")
    assert ref("get", "/groups/").endswith("/GroupsListValidationError")


def test_problem_format_uses_its_media_type(schema_for: SchemaFor) -> None:
    schema = schema_for("problem")
    for status in ("400", "404", "500"):
        assert list(responses(schema, "patch", "/groups/{id}/")[status]["content"]) == [
            "application/problem+json"
        ]
    # Success bodies keep the renderer's type.
    assert list(responses(schema, "get", "/ping/")["200"]["content"]) == ["application/json"]


def test_request_id_header_on_every_response_including_204(schema: Schema) -> None:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                assert response["headers"]["X-Request-ID"] == {
                    "$ref": "#/components/headers/X-Request-ID"
                }, (method, path, status)
    assert schema["components"]["headers"]["X-Request-ID"]["required"] is True


def test_request_id_is_an_optional_request_header(schema: Schema) -> None:
    parameters = schema["paths"]["/ping/"]["get"]["parameters"]
    assert {"in": "header", "name": "X-Request-ID"}.items() <= parameters[-1].items()
    assert "required" not in parameters[-1]


def test_request_id_header_name_follows_the_setting(schema_for: SchemaFor) -> None:
    schema = schema_for(REQUEST_ID_HEADER="X-Correlation-ID")
    assert "X-Correlation-ID" in responses(schema, "get", "/ping/")["200"]["headers"]
    assert schema["paths"]["/ping/"]["get"]["parameters"][-1]["name"] == "X-Correlation-ID"


def test_without_the_middleware_only_errors_carry_the_request_id(
    schema_for: SchemaFor, settings: Any
) -> None:
    schema_for()
    settings.MIDDLEWARE = [names.SECURITY_MIDDLEWARE, names.COMMON_MIDDLEWARE]
    schema = generate_schema()
    assert "headers" not in responses(schema, "get", "/ping/")["200"]
    assert "X-Request-ID" in responses(schema, "get", "/ping/")["500"]["headers"]
    assert "parameters" not in schema["paths"]["/ping/"]["get"]


def test_throttled_operations_document_retry_after_and_ratelimit(schema: Schema) -> None:
    notes = responses(schema, "post", "/notes/")
    assert set(notes["429"]["headers"]) == {
        "X-Request-ID",
        "Retry-After",
        "RateLimit-Policy",
        "RateLimit",
    }
    # RateLimit is sent on every response of a throttled view; never on an unthrottled one.
    assert {"RateLimit-Policy", "RateLimit"} <= set(notes["201"]["headers"])
    assert set(responses(schema, "get", "/ping/")["200"]["headers"]) == {"X-Request-ID"}


def test_ratelimit_headers_follow_the_setting(schema_for: SchemaFor) -> None:
    schema = schema_for(RATELIMIT_HEADERS=False)
    assert set(responses(schema, "post", "/notes/")["429"]["headers"]) == {
        "X-Request-ID",
        "Retry-After",
    }
    assert "RateLimit" not in schema["components"]["headers"]


def test_401_documents_www_authenticate(schema: Schema) -> None:
    assert "WWW-Authenticate" in responses(schema, "get", "/groups/")["401"]["headers"]


def test_fail_closed_throttles_add_503(schema_for: SchemaFor) -> None:
    schema = schema_for(THROTTLE_FAIL_OPEN=False)
    assert 503 in statuses(schema, "post", "/notes/")
    assert "Retry-After" in responses(schema, "post", "/notes/")["503"]["headers"]
    assert 503 not in statuses(schema, "get", "/ping/")


def test_the_failed_auth_guard_can_refuse_every_operation(
    schema_for: SchemaFor, settings: Any
) -> None:
    schema_for()
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, names.AUTH_GUARD_MIDDLEWARE]
    assert 429 in statuses(generate_schema(), "get", "/ping/")
    settings.DRF_HARDENING = {**settings.DRF_HARDENING, "FAILED_AUTH_RATE": None}
    assert 429 not in statuses(generate_schema(), "get", "/ping/")


def test_session_authentication_refuses_with_403_not_401(
    schema_for: SchemaFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DRF turns 401 into 403 when the first authenticator sends no challenge; unsafe
    # methods also face SessionAuthentication's CSRF check.
    monkeypatch.setattr(NoteView, "authentication_classes", [SessionAuthentication])
    found = statuses(schema_for(), "post", "/notes/")
    assert 403 in found
    assert 401 not in found


def test_other_exception_handlers_get_no_error_responses(
    schema_for: SchemaFor, settings: Any
) -> None:
    schema_for()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }
    schema = generate_schema()
    assert statuses(schema, "post", "/notes/") == [201]
    assert "Error" not in schema["components"]["schemas"]


def test_strict_char_field_states_its_policy(schema: Schema) -> None:
    title = schema["components"]["schemas"]["NoteRequest"]["properties"]["title"]
    assert title["format"] == "strict-text(digits,letters,spaces)"
    assert (title["minLength"], title["maxLength"]) == (2, 80)
    assert title["description"].startswith("Plain text: digits, letters, spaces;")
    # allow_blank: drf-spectacular adds the empty string as the other branch.
    body = schema["components"]["schemas"]["NoteRequest"]["properties"]["body"]
    assert body["oneOf"][0]["minLength"] == 1
    assert body["oneOf"][1] == {"type": "string", "maxLength": 0}


def test_strict_serializers_reject_additional_properties_in_requests_only(
    schema: Schema,
) -> None:
    components = schema["components"]["schemas"]
    for name in ("NoteRequest", "AuthorRequest", "GroupRequest", "PatchedGroupRequest"):
        assert components[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in components["Note"]
    # The mixin's docstring does not describe a serializer that has none.
    assert "description" not in components["GroupRequest"]


def test_capped_pagination_documents_its_maximum(schema_for: SchemaFor) -> None:
    schema = schema_for(MAX_PAGE_SIZE=25)
    parameters = {p["name"]: p for p in schema["paths"]["/groups/"]["get"]["parameters"]}
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 25}
    assert "a larger value is served as 25" in parameters["page_size"]["description"]


class DeclaringFilter:
    def get_schema_error_codes(self, view: Any) -> dict[str, list[str]]:
        return {"search": ["too_long", "control_character"]}


class OpaqueFilter:
    """A backend that may raise anything: its codes are left open."""


def test_query_errors_of_filter_backends() -> None:
    from rest_framework.filters import OrderingFilter

    from drf_hardening.openapi.statuses import query_errors

    assert query_errors(NoteView(), None, [OrderingFilter]) is None
    declared = query_errors(NoteView(), None, [DeclaringFilter])
    assert declared is not None
    assert declared.members["search"].codes == {"too_long", "control_character"}
    opaque = query_errors(NoteView(), None, [OpaqueFilter])
    assert opaque is not None
    assert opaque.any_code


@pytest.mark.parametrize("error_format", ["envelope", "problem", "drf"])
def test_open_codes_accept_any_code(error_format: str) -> None:
    import jsonschema  # type: ignore[import-untyped]

    from drf_hardening.openapi.bodies import shared_schemas, validation_error_schema
    from drf_hardening.openapi.field_errors import FieldErrors

    schema = validation_error_schema(error_format, FieldErrors(any_code=True))
    bodies = {
        "envelope": {
            "error": {
                "status": 400,
                "code": "invalid",
                "message": "Invalid input.",
                "fields": {"q": [{"code": "anything", "message": "No."}]},
                "request_id": "r" * 32,
            }
        },
        "problem": {
            "type": "about:blank",
            "title": "Bad Request",
            "status": 400,
            "detail": "Invalid input.",
            "instance": "/x/",
            "code": "invalid",
            "request_id": "r" * 32,
            "errors": [{"pointer": "#/q/0", "code": "anything", "detail": "No."}],
        },
        "drf": {"q": ["No."]},
    }
    components = {"schemas": shared_schemas(error_format)}
    jsonschema.validate(bodies[error_format], {**schema, "components": components})
