"""Request and response shapes. Every text field is a StrictCharField (drf-hardening).

``StrictModelSerializer`` answers 400 to a key the serializer does not accept
(``owner``, ``id``, ``is_staff``, a typo...) instead of silently dropping it.

Task titles follow ``EXAMPLE_TITLE_RULE`` (read once, when the project starts):

- ``text`` (the default): what people write in a title, punctuation and symbols
  included ("Buy milk, eggs & bread!", "Call O'Brien re: Q3-report");
- ``tutorial``: the DRF tutorial's ``isalnum()`` rule, letters (any script), digits
  and spaces only.

Both refuse everything ``StrictCharField`` refuses: control, bidi, invisible,
private-use and unassigned characters, combining-mark floods, non-strings.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from drf_hardening.fields import StrictCharField
from drf_hardening.serializers import StrictModelSerializer
from tasks.models import Task

User = get_user_model()


class JSONBooleanField(serializers.BooleanField):
    """Only JSON ``true`` and ``false`` (DRF's BooleanField also takes ``0``, ``"yes"``...)."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # fail() raises


#: The ``allow=`` of each title rule; ``None`` is StrictCharField's whole policy.
TITLE_RULES: dict[str, list[str] | None] = {
    "text": None,
    "tutorial": ["letters", "digits", "spaces"],
}


def title_rule() -> str:
    """``EXAMPLE_TITLE_RULE``, ``"text"`` when unset; a typo stops the project at start-up."""
    rule = os.environ.get("EXAMPLE_TITLE_RULE", "text")
    if rule not in TITLE_RULES:
        raise ImproperlyConfigured(
            f"EXAMPLE_TITLE_RULE must be one of {', '.join(TITLE_RULES)}; got {rule!r}."
        )
    return rule


def title_field(rule: str) -> StrictCharField:
    """A task title under ``rule``: 3 to 200 characters."""
    return StrictCharField(min_length=3, max_length=200, allow=TITLE_RULES[rule])


class TaskSerializer(StrictModelSerializer[Task]):
    title = title_field(title_rule())
    description = StrictCharField(multiline=True, max_length=2000, required=False, allow_blank=True)
    completed = JSONBooleanField(required=False)
    owner = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "description", "completed", "created_at", "owner"]
        read_only_fields = ["id", "created_at", "owner"]


@extend_schema_field({"type": "string", "format": "password", "minLength": 8, "maxLength": 128})
class PasswordField(serializers.CharField):
    """Checked against AUTH_PASSWORD_VALIDATORS by RegisterSerializer.validate()."""


class RegisterSerializer(StrictModelSerializer[Any]):
    # identifier=True: NFKC and case folding, so "Alice" and a fullwidth "alice" are both
    # "alice"; one writing system per name ("paypal" with a Cyrillic "a" is refused); and
    # Django's own username rule: letters, digits and . @ + - _ only.
    username = StrictCharField(
        identifier=True,
        reject_mixed_script=True,
        allow=["letters", "digits", "punctuation", "symbols"],
        min_length=3,
        max_length=150,
        validators=[UnicodeUsernameValidator()],
    )
    password = PasswordField(write_only=True, min_length=8, max_length=128, trim_whitespace=False)

    class Meta:
        model = User
        fields = ["id", "username", "password"]
        read_only_fields = ["id"]

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.", code="unique")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # AUTH_PASSWORD_VALIDATORS, the similarity one included, reported on "password".
        try:
            validate_password(attrs["password"], User(username=attrs["username"]))
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": get_error_detail(error)}) from error
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        try:
            with transaction.atomic():
                return User.objects.create_user(**validated_data)
        except IntegrityError:  # the same name registered by a concurrent request
            raise serializers.ValidationError(
                {"username": ["This username is taken."]}, code="unique"
            ) from None
