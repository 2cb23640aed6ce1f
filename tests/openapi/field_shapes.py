"""A serializer with the field shapes tests/openapi/app.py does not use, and bad bodies for it.

Decimals, a list that may not be empty, a many-relation, a nested serializer checked by its
parent's ``validate_<name>``, a read-only field of a non-strict serializer, and validators on
the whole body (unique together, one with a code of its own, one without).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from rest_framework import serializers
from rest_framework.validators import UniqueTogetherValidator


class SameName:
    """A body validator that names the code it raises, as Django's validators do."""

    code = "same_name"

    def __call__(self, attrs: dict[str, Any]) -> None:
        if attrs.get("nickname") == attrs["name"]:
            raise serializers.ValidationError("The nickname is the name.", code=self.code)


def something_to_order(attrs: dict[str, Any]) -> None:
    if not attrs.get("lines") and not attrs.get("groups"):
        raise serializers.ValidationError("Order lines or groups.")  # code "invalid"


class AddressSerializer(serializers.Serializer[Any]):
    city = serializers.CharField(max_length=40)


class OrderSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=20)
    nickname = serializers.CharField(max_length=20, required=False)
    price = serializers.DecimalField(max_digits=5, decimal_places=2)
    lines = serializers.ListField(
        child=serializers.IntegerField(), allow_empty=False, required=False
    )
    groups = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Group.objects.all(), required=False
    )
    created = serializers.DateTimeField(read_only=True)
    address = AddressSerializer(required=False)

    class Meta:
        validators = [
            UniqueTogetherValidator(queryset=Group.objects.all(), fields=["name"]),
            SameName(),
            something_to_order,
        ]

    def validate_address(self, value: dict[str, Any]) -> dict[str, Any]:
        if value["city"] == "Nowhere":
            raise serializers.ValidationError("We do not deliver there.")
        return value


GOOD = {"name": "Ann", "price": "1.50", "lines": [1]}
BAD_ORDERS: list[Any] = [
    None,
    {},
    {**GOOD, "price": "123456"},
    {**GOOD, "price": "1.234"},
    {**GOOD, "price": "1234.5"},
    {**GOOD, "lines": []},
    {**GOOD, "lines": ["x"]},
    {**GOOD, "groups": [999]},
    {**GOOD, "groups": ["x"]},
    {**GOOD, "groups": "x"},
    {**GOOD, "address": {"city": "Nowhere"}},
    {**GOOD, "address": "x"},
    {**GOOD, "name": "Taken"},
    {**GOOD, "nickname": "Ann", "address": {"city": "Paris"}},
    {"name": "Ann", "price": "1.50"},
]
