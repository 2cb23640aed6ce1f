"""drf_hardening.openapi at its edges: views, throttles, filters and bodies off the common path."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django_filters import rest_framework as filters
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import ComponentRegistry
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.settings import patched_settings
from rest_framework import generics
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import BaseThrottle, UserRateThrottle

from drf_hardening.fields import StrictCharField
from drf_hardening.openapi.components import named_body
from drf_hardening.openapi.extensions import describe_policy
from drf_hardening.openapi.statuses import challenges, query_errors, throttled
from tests.openapi.app import NoteView
from tests.openapi.conftest import configure
from tests.openapi.urls import SPECTACULAR

Schema = dict[str, Any]


@pytest.fixture
def schema(settings: Any) -> Schema:
    configure(settings)
    GENERATOR_STATS.reset()
    with patched_settings(SPECTACULAR):
        generator = SchemaGenerator(urlconf="tests.openapi.edge_api")  # type: ignore[no-untyped-call]
        generated = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    result: Schema = json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))
    return result


def post(schema: Schema, path: str) -> Schema:
    operation: Schema = schema["paths"][path]["post"]
    return operation


def test_a_parser_of_any_media_type_means_no_415(schema: Schema) -> None:
    assert "415" not in post(schema, "/any-body/")["responses"]
    assert "415" in post(schema, "/list-body/")["responses"]


def test_a_list_body_leaves_its_codes_open(schema: Schema) -> None:
    ref = post(schema, "/list-body/")["responses"]["400"]["content"]["application/json"]
    name = ref["schema"]["$ref"].rsplit("/", 1)[1]
    fields = schema["components"]["schemas"][name]["properties"]["error"]["properties"]["fields"]
    assert "enum" not in json.dumps(fields)  # any code: DRF's list errors are not modelled


def test_a_status_the_view_declares_is_left_as_declared(schema: Schema) -> None:
    responses = schema["paths"]["/declared-404/{id}/"]["post"]["responses"]
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Address"
    }
    assert "500" in responses  # the others are still added


def test_no_permission_classes_make_the_credential_optional(schema: Schema) -> None:
    assert {} in post(schema, "/no-permissions/")["security"]


def test_a_strict_serializer_keeps_its_own_docstring(schema: Schema) -> None:
    description = schema["components"]["schemas"]["ParcelRequest"]["description"]
    assert description.startswith("A parcel to send")


def test_a_nested_body_without_codes_of_its_own_lists_its_members(schema: Schema) -> None:
    ref = post(schema, "/any-body/")["responses"]["400"]["content"]["application/json"]
    name = ref["schema"]["$ref"].rsplit("/", 1)[1]
    body = json.dumps(schema["components"]["schemas"][name])
    assert '"city"' in body
    assert '"max_length"' in body


class NeedsARequest(BaseAuthentication):
    def authenticate_header(self, request: Any) -> str:
        return str(request.META["SERVER_NAME"])  # no request while the schema is generated


def test_an_authenticator_that_needs_a_request_is_taken_to_challenge() -> None:
    view = NoteView()
    view.request = None  # type: ignore[assignment]
    view.authentication_classes = [NeedsARequest]
    assert challenges(view)


class UnratedThrottle(UserRateThrottle):
    scope = "no-such-scope"  # no rate: DRF raises ImproperlyConfigured (check E030)


class OtherLibraryThrottle(BaseThrottle):
    """Not a SimpleRateThrottle: the schema cannot know its rate (only its class is read)."""


def test_a_throttle_without_a_rate_documents_no_429() -> None:
    view = NoteView()
    view.throttle_classes = [UnratedThrottle]
    assert not throttled(view)


def test_another_librarys_throttle_is_taken_to_refuse() -> None:
    view = NoteView()
    view.throttle_classes = [OtherLibraryThrottle]
    assert throttled(view)


class EmptyDeclaringFilter:
    def get_schema_error_codes(self, view: Any) -> dict[str, list[str]]:
        return {}  # a backend that can never fail


class RangeFilterSet(filters.FilterSet):
    created = filters.DateFromToRangeFilter(field_name="name")

    class Meta:
        model = Group
        fields = ["name"]


class GroupList(generics.ListAPIView[Group]):
    queryset = Group.objects.all()
    filter_backends = [filters.DjangoFilterBackend]


def test_a_backend_that_declares_no_codes_adds_none() -> None:
    assert query_errors(NoteView(), None, [EmptyDeclaringFilter]) is None


def test_django_filter_without_a_filterset_adds_no_codes() -> None:
    assert query_errors(GroupList(), None, [filters.DjangoFilterBackend]) is None


def test_django_filter_range_lists_the_codes_of_both_values() -> None:
    view = GroupList()
    view.filterset_class = RangeFilterSet  # type: ignore[attr-defined]
    tree = query_errors(view, None, [filters.DjangoFilterBackend])
    assert tree is not None
    assert "invalid" in tree.members["created"].codes
    assert "invalid" in tree.members["name"].codes


def test_django_filter_on_a_view_without_a_model_leaves_codes_open() -> None:
    view = NoteView()  # no queryset: no model to build the FilterSet of
    view.filterset_fields = ["title"]  # type: ignore[attr-defined]
    tree = query_errors(view, None, [filters.DjangoFilterBackend])
    assert tree is not None
    assert tree.any_code


def test_without_django_filter_an_unknown_backend_leaves_codes_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A project that does not install django-filter: the import fails, nothing else does.
    monkeypatch.setitem(sys.modules, "django_filters.rest_framework", None)
    tree = query_errors(GroupList(), None, [filters.DjangoFilterBackend])
    assert tree is not None
    assert tree.any_code


def test_two_bodies_of_one_name_get_numbered_names() -> None:
    registry = ComponentRegistry()
    first = named_body(registry, "NoteValidationError", {"type": "object"})
    again = named_body(registry, "NoteValidationError", {"type": "object"})
    other = named_body(registry, "NoteValidationError", {"type": "array"})
    assert first == again == {"$ref": "#/components/schemas/NoteValidationError"}
    assert other == {"$ref": "#/components/schemas/NoteValidationError2"}


def test_a_byte_limit_is_described() -> None:
    assert "at most 30 bytes in UTF-8" in describe_policy(StrictCharField(max_bytes=30))
    assert "bytes" not in describe_policy(StrictCharField())
