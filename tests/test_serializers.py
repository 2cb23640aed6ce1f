"""StrictSerializerMixin / StrictModelSerializer: unknown and read-only input keys give 400."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from rest_framework import serializers
from rest_framework.settings import api_settings

from drf_hardening.serializers import (
    MAX_REPORTED_FIELDS,
    StrictSerializerMixin,
    unexpected_field_errors,
)
from tests.urls_input import TeamSerializer, UserSerializer

pytestmark = pytest.mark.urls("tests.urls_input")

LIST_ERRORS_AS_DICT = bool(getattr(api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT", False))


def codes(errors: Any) -> Any:
    """The error tree with each ErrorDetail replaced by its code."""
    if isinstance(errors, dict):
        return {key: codes(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [codes(item) for item in errors]
    return errors.code


def team(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Core team",
        "leader": {"username": "Ada"},
        "members": [{"username": "grace"}, {"username": "linus", "first_name": "Linus"}],
        **extra,
    }


# --- unit level: the serializer alone


@pytest.mark.django_db  # username's UniqueValidator queries the table
def test_strict_model_serializer_accepts_writable_fields() -> None:
    s = UserSerializer(data={"username": "ada", "first_name": "Ada"})
    assert s.is_valid(), s.errors
    assert s.validated_data == {"username": "ada", "first_name": "Ada"}


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param({"extra_field": 1}, {"extra_field": ["unknown_field"]}, id="unknown"),
        pytest.param({"id": 999}, {"id": ["read_only_field"]}, id="read-only id"),
        pytest.param({"is_staff": True}, {"is_staff": ["read_only_field"]}, id="read-only flag"),
        pytest.param(
            {"id": 9, "password": "x", "date_joined": "2020-01-01"},
            {
                "id": ["read_only_field"],
                "password": ["unknown_field"],
                "date_joined": ["read_only_field"],
            },
            id="several",
        ),
    ],
)
def test_strict_model_serializer_rejects_unwritable_keys(
    extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    s = UserSerializer(data={"username": "ada", **extra})
    assert not s.is_valid()
    assert codes(s.errors) == expected


def test_strict_serializer_rejects_hidden_field_key() -> None:
    s = TeamSerializer(data=team(created_by="mallory"))
    assert not s.is_valid()
    assert codes(s.errors) == {"created_by": ["read_only_field"]}


def test_strict_serializer_rejects_keys_in_nested_serializer() -> None:
    data = team(leader={"username": "ada", "is_superuser": True, "role": "admin"})
    s = TeamSerializer(data=data)
    assert not s.is_valid()
    assert codes(s.errors) == {
        "leader": {"is_superuser": ["read_only_field"], "role": ["unknown_field"]}
    }


def test_strict_serializer_rejects_keys_in_many_list_in_drf_shape() -> None:
    data = team(members=[{"username": "grace"}, {"username": "eve", "is_superuser": True}])
    s = TeamSerializer(data=data)
    assert not s.is_valid()
    item = {"is_superuser": ["read_only_field"]}
    expected = {1: item} if LIST_ERRORS_AS_DICT else [{}, item]
    assert codes(s.errors) == {"members": expected}


def test_strict_serializer_list_shape_follows_drf_setting(settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "LIST_SERIALIZER_ERRORS_AS_DICT": False}
    data = team(members=[{"username": "eve", "x": 1}, {"username": "grace"}])
    s = TeamSerializer(data=data)
    assert not s.is_valid()
    assert codes(s.errors) == {"members": [{"x": ["unknown_field"]}, {}]}


@pytest.mark.django_db
def test_strict_serializer_many_true_at_top_level() -> None:
    s = UserSerializer(data=[{"username": "a"}, {"username": "b", "id": 3}], many=True)
    assert not s.is_valid()
    errors = s.errors
    item = {"id": ["read_only_field"]}
    assert codes(errors) == ({1: item} if LIST_ERRORS_AS_DICT else [{}, item])


def test_strict_serializer_list_field_of_serializers() -> None:
    class Child(serializers.Serializer[Any]):
        name = serializers.CharField()

    class Parent(StrictSerializerMixin, serializers.Serializer[Any]):
        children = serializers.ListField(child=Child())

    s = Parent(data={"children": [{"name": "a", "age": 3}]})
    assert not s.is_valid()
    assert codes(s.errors) == {"children": {0: {"age": ["unknown_field"]}}}
    assert Parent(data={"children": [{"name": "a"}]}).is_valid()


def test_strict_serializer_leaves_wrong_types_to_drf() -> None:
    s = TeamSerializer(data=team(leader="ada", members={"not": "a list"}))
    assert not s.is_valid()
    assert codes(s.errors) == {
        "leader": {"non_field_errors": ["invalid"]},
        "members": {"non_field_errors": ["not_a_list"]},
    }
    top = TeamSerializer(data=["not", "an", "object"])
    assert not top.is_valid()
    assert codes(top.errors) == {"non_field_errors": ["invalid"]}


def test_strict_serializer_checks_keys_before_validating_fields() -> None:
    # The title is also invalid, but only the hostile key is reported: the
    # check runs first, so no validator ever sees a request that smuggles keys.
    s = TeamSerializer(data=team(name="", owner=1))
    assert not s.is_valid()
    assert codes(s.errors) == {"owner": ["unknown_field"]}


def test_strict_serializer_does_not_echo_long_or_many_keys() -> None:
    long_key = "k" * 65
    data = {"username": "ada", long_key: 1, "bad\nkey": 2}
    data.update({f"junk{i}": i for i in range(100)})
    errors = unexpected_field_errors(UserSerializer(), data)
    assert long_key not in errors
    assert "bad\nkey" not in errors
    named = [key for key in errors if key.startswith("junk")]
    assert len(named) == MAX_REPORTED_FIELDS
    assert codes(errors["non_field_errors"]) == ["unknown_field"]


def test_unexpected_field_errors_none_when_clean() -> None:
    assert unexpected_field_errors(UserSerializer(), {"username": "ada"}) is None
    assert unexpected_field_errors(UserSerializer(), "not a mapping") is None


# --- API level: the full stack, and the database afterwards


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"username": "ada", "extra_field": 1}, id="unknown"),
        pytest.param({"username": "ada", "id": 999}, id="id"),
        pytest.param({"username": "ada", "is_staff": True}, id="is_staff"),
    ],
)
def test_api_create_with_unwritable_key_is_400_and_creates_nothing(
    client: Client, body: dict[str, Any]
) -> None:
    response = client.post("/users/", body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == set(body) - {"username"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_api_create_with_writable_keys_is_201(client: Client) -> None:
    response = client.post("/users/", {"username": "ada"}, content_type="application/json")
    assert response.status_code == 201
    assert User.objects.get().username == "ada"


@pytest.mark.django_db
def test_api_patch_read_only_field_is_400_and_changes_nothing(client: Client) -> None:
    user = User.objects.create(username="ada", first_name="Ada")
    response = client.patch(
        f"/users/{user.pk}/",
        {"first_name": "Mallory", "is_staff": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"is_staff": ["This field is read-only."]}
    user.refresh_from_db()
    assert (user.first_name, user.is_staff) == ("Ada", False)


@pytest.mark.django_db
def test_api_nested_unknown_key_is_400_and_creates_nothing(client: Client) -> None:
    body = team(members=[{"username": "grace"}, {"username": "eve", "is_superuser": True}])
    response = client.post("/teams/", body, content_type="application/json")
    assert response.status_code == 400
    assert not Group.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_api_nested_valid_team_is_created(client: Client) -> None:
    response = client.post("/teams/", team(), content_type="application/json")
    assert response.status_code == 201, response.json()
    group = Group.objects.get()
    assert sorted(group.user_set.values_list("username", flat=True)) == ["ada", "grace", "linus"]


@pytest.mark.django_db
def test_api_codes_in_library_error_body(client: Client, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "EXCEPTION_HANDLER": "drf_hardening.exceptions.exception_handler",
    }
    body = {"username": "ada", "id": 1, "role": "admin"}
    response = client.post("/users/", body, content_type="application/json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert {name: [e["code"] for e in errors] for name, errors in fields.items()} == {
        "id": ["read_only_field"],
        "role": ["unknown_field"],
    }
    assert not User.objects.exists()
