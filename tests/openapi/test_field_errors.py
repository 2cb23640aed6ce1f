"""The codes each field can fail with (the enums of a 400), checked against real failures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group
from rest_framework import serializers

from drf_hardening.error_formats import normalise_field_errors
from drf_hardening.fields import StrictCharField
from drf_hardening.openapi.field_errors import (
    FieldErrors,
    field_codes,
    merge,
    serializer_errors,
)
from tests.openapi.app import GroupSerializer, NoteSerializer
from tests.openapi.field_shapes import BAD_ORDERS, OrderSerializer


def codes_of(detail: Any) -> dict[str, Any]:
    """Real errors, normalised as every error body carries them: ``{field: {codes}}``."""

    def walk(value: Any) -> Any:
        if isinstance(value, list):
            return {entry["code"] for entry in value}
        return {key: walk(child) for key, child in value.items()}

    result: dict[str, Any] = walk(normalise_field_errors(detail))
    return result


def allowed(tree: FieldErrors, errors: dict[str, Any]) -> bool:
    """Whether every code in ``errors`` is one the tree lists at that position."""
    for name, value in errors.items():
        node = tree.members.get(name) or tree.items
        if node is None:
            if not value <= tree.unknown:
                return False
            continue
        if isinstance(value, set):
            if not value <= node.codes:
                return False
        elif not allowed(node, value):
            return False
    return True


BAD_NOTES = [
    {},
    {"title": None},
    {"title": ""},
    {"title": "x"},
    {"title": "a" * 81},
    {"title": "hi\u202ethere"},
    {"title": "forbidden"},
    {"title": "ok!"},
    {"title": 5},
    {"title": "Fine", "priority": 9},
    {"title": "Fine", "priority": "many"},
    {"title": "Fine", "tags": "x"},
    {"title": "Fine", "tags": ["a" * 21, None]},
    {"title": "Fine", "tags": ["a"] * 6},
    {"title": "Fine", "author": "me"},
    {"title": "Fine", "author": {"name": "R2 D2", "age": 3}},
    {"title": "Fine", "accepted": False, "extra": 1},
    {"title": "Fine", "body": "\x00"},
]


@pytest.mark.parametrize("data", BAD_NOTES)
def test_every_real_error_code_is_listed(data: dict[str, Any]) -> None:
    serializer = NoteSerializer(data=data)
    assert not serializer.is_valid()
    tree = serializer_errors(NoteSerializer())
    assert allowed(tree, codes_of(serializer.errors)), codes_of(serializer.errors)


def test_a_body_that_is_not_an_object() -> None:
    serializer = NoteSerializer(data=[1])
    assert not serializer.is_valid()
    assert codes_of(serializer.errors) == {"non_field_errors": {"invalid"}}
    assert "invalid" in serializer_errors(NoteSerializer()).members["non_field_errors"].codes


@pytest.mark.django_db
def test_model_serializer_uniqueness_is_listed() -> None:
    Group.objects.create(name="Taken")
    serializer = GroupSerializer(data={"name": "Taken"})
    assert not serializer.is_valid()
    assert codes_of(serializer.errors) == {"name": {"unique"}}
    tree = serializer_errors(GroupSerializer())
    assert "unique" in tree.members["name"].codes
    assert tree.members["id"].codes == {"read_only_field"}
    assert tree.unknown == {"unknown_field"}


def test_conditional_codes_only_when_their_condition_holds() -> None:
    optional = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    assert not {"required", "null", "blank", "max_length", "min_length"} & field_codes(optional)
    bounded = serializers.IntegerField(min_value=1)
    assert {"min_value", "required", "null"} <= field_codes(bounded)
    assert "max_value" not in field_codes(bounded)


def test_strict_char_field_lists_its_policy_codes_not_charfields() -> None:
    codes = field_codes(StrictCharField(max_length=10))
    assert {"too_long", "control_character", "bidi_control", "not_a_string"} <= codes
    assert not {"max_length", "min_length", "too_short", "mixed_script"} & codes
    option_codes = field_codes(
        StrictCharField(min_length=2, max_bytes=30, allow=["letters"], reject_mixed_script=True)
    )
    assert {"too_short", "too_many_bytes", "disallowed_character", "mixed_script"} <= option_codes


def test_partial_updates_cannot_miss_a_field() -> None:
    tree = serializer_errors(NoteSerializer(), partial=True)
    assert "required" not in tree.members["title"].codes
    assert "required" in serializer_errors(NoteSerializer()).members["title"].codes


def test_a_validator_code_is_listed() -> None:
    def no_tabs(value: str) -> None:
        if "\t" in value:
            raise serializers.ValidationError("no", code="tabbed")

    no_tabs.code = "tabbed"  # type: ignore[attr-defined]
    field = serializers.CharField(validators=[no_tabs])
    with pytest.raises(serializers.ValidationError) as raised:
        field.run_validation("a\tb")
    assert raised.value.get_codes() == ["tabbed"]
    assert field.run_validation("ab") == "ab"
    assert "tabbed" in field_codes(field)


class LoginSerializer(serializers.Serializer[Any]):
    default_error_messages = {"locked": "This account is locked."}
    schema_error_codes = {"non_field_errors": ["authorization"], "username": ["inactive"]}
    username = serializers.CharField()

    def validate(self, attrs: Any) -> Any:
        if attrs["username"] == "locked":
            self.fail("locked")
        raise serializers.ValidationError("No.", code="authorization")


@pytest.mark.parametrize(("username", "code"), [("someone", "authorization"), ("locked", "locked")])
def test_codes_raised_by_validate_are_listed_when_declared(username: str, code: str) -> None:
    serializer = LoginSerializer(data={"username": username})
    assert not serializer.is_valid()
    assert codes_of(serializer.errors) == {"non_field_errors": {code}}
    tree = serializer_errors(LoginSerializer())
    assert {"authorization", "locked"} <= tree.members["non_field_errors"].codes
    assert "inactive" in tree.members["username"].codes


def test_a_parameter_that_never_fails_is_left_out() -> None:
    from drf_hardening.openapi.bodies import validation_error_schema
    from drf_hardening.openapi.field_errors import parameter_errors

    tree = parameter_errors({"completed": [], "page_size": ["invalid"]})
    for error_format in ("envelope", "drf"):
        schema = json.dumps(validation_error_schema(error_format, tree))
        assert "completed" not in schema
        assert "page_size" in schema


def test_the_checker_rejects_what_the_tree_does_not_list() -> None:
    # allowed() is what every test above relies on: it must be able to say no.
    tree = serializer_errors(NoteSerializer())
    assert not allowed(tree, {"title": {"made_up"}})
    assert not allowed(tree, {"not_a_field": {"required"}})
    assert not allowed(tree, {"author": {"name": {"made_up"}}})
    assert allowed(tree, {"not_a_field": {"unknown_field"}})


@pytest.mark.django_db
@pytest.mark.parametrize("data", BAD_ORDERS)
def test_every_real_error_code_of_the_other_field_shapes_is_listed(data: Any) -> None:
    Group.objects.create(name="Taken")
    serializer = OrderSerializer(data=data)
    assert not serializer.is_valid()
    tree = serializer_errors(OrderSerializer())
    assert allowed(tree, codes_of(serializer.errors)), codes_of(serializer.errors)


def test_other_field_shapes_list_their_codes() -> None:
    tree = serializer_errors(OrderSerializer())
    assert {"max_digits", "max_decimal_places", "max_whole_digits"} <= tree.members["price"].codes
    assert "empty" in tree.members["lines"].codes
    assert {"does_not_exist", "incorrect_type"} <= tree.members["groups"].codes
    assert "read_only_field" not in tree.members.get("created", FieldErrors()).codes
    assert "invalid" in tree.members["address"].codes  # OrderSerializer.validate_address
    non_field = tree.members["non_field_errors"].codes
    assert {"unique", "same_name"} <= non_field
    assert "required" in tree.members["name"].codes  # a unique-together field must be sent
    partial = serializer_errors(OrderSerializer(), partial=True)
    assert "required" not in partial.members["name"].codes


@pytest.mark.parametrize("data", [[{}], [{"title": "Fine"}, {"title": None}], "x", [5]])
def test_a_list_body_lists_the_codes_of_its_items(data: Any) -> None:
    serializer = NoteSerializer(many=True, data=data)
    assert not serializer.is_valid()
    tree = serializer_errors(NoteSerializer(many=True))
    assert tree.items is not None
    assert "required" not in tree.items.codes  # an item is there, or it is not an item
    assert allowed(tree, codes_of(serializer.errors)), codes_of(serializer.errors)


@pytest.mark.django_db
def test_a_body_that_may_be_null_does_not_list_null() -> None:
    assert OrderSerializer(data=None, allow_null=True).is_valid()
    tree = serializer_errors(OrderSerializer(allow_null=True))
    assert "null" not in tree.members["non_field_errors"].codes
    assert "null" in serializer_errors(OrderSerializer()).members["non_field_errors"].codes


def test_merging_two_list_bodies_merges_their_items() -> None:
    tree = serializer_errors(NoteSerializer(many=True))
    merge(tree, serializer_errors(OrderSerializer(many=True)))
    assert tree.items is not None
    assert {"title", "price"} <= set(tree.items.members)
