"""Serializers that answer 400 to fields they would otherwise ignore (OWASP API3).

DRF drops unknown keys and read-only fields from input without a word, so
``{"title": "x", "id": 999, "owner": 2}`` returns 201 and a mass-assignment
attempt goes unnoticed. ``StrictSerializerMixin`` rejects such keys, in nested
serializers and ``many=True`` lists too, with the codes ``unknown_field`` and
``read_only_field``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

_M = TypeVar("_M", bound=Model)

#: How many unexpected keys are named in one response, so that a body with
#: 100,000 junk keys does not produce an error response of the same size.
MAX_REPORTED_FIELDS = 20
#: Keys longer than this are reported under ``non_field_errors`` instead of by name,
#: so that the response never echoes a long attacker-chosen string.
MAX_REPORTED_KEY_LENGTH = 64

UNKNOWN = _("Unknown field.")
READ_ONLY = _("This field is read-only.")


def _reportable(key: object) -> bool:
    return isinstance(key, str) and len(key) <= MAX_REPORTED_KEY_LENGTH and key.isprintable()


def unexpected_field_errors(serializer: serializers.Serializer[Any], data: object) -> Any:
    """Errors for the keys in ``data`` that ``serializer`` will not write, or ``None``.

    Walks nested serializers and lists of them; the shape of the result follows
    DRF's own errors (a dict per object, a list with ``{}`` for valid items).
    """
    if not isinstance(data, Mapping):
        return None  # the serializer itself reports the wrong type
    errors: dict[str, Any] = {}
    hidden = 0
    for key, value in data.items():
        field = serializer.fields.get(key) if isinstance(key, str) else None
        if field is None or field.read_only or isinstance(field, serializers.HiddenField):
            code = "unknown_field" if field is None else "read_only_field"
            if len(errors) < MAX_REPORTED_FIELDS and _reportable(key):
                message = UNKNOWN if field is None else READ_ONLY
                errors[key] = [ErrorDetail(str(message), code=code)]
            else:
                hidden += 1
            continue
        nested = _nested_errors(field, value)
        if nested:
            errors[key] = nested
    if hidden:
        errors[api_settings.NON_FIELD_ERRORS_KEY] = [
            ErrorDetail(str(UNKNOWN), code="unknown_field")
        ]
    return errors or None


def _nested_errors(field: serializers.Field[Any, Any, Any, Any], value: object) -> Any:
    if isinstance(field, serializers.Serializer):
        return unexpected_field_errors(field, value)
    if isinstance(field, serializers.ListSerializer | serializers.ListField) and isinstance(
        field.child, serializers.Serializer
    ):
        if not isinstance(value, list):
            return None  # the list field itself reports the wrong type
        child = field.child
        errors = {
            i: e for i, item in enumerate(value) if (e := unexpected_field_errors(child, item))
        }
        if not errors:
            return None
        # Same shape as DRF's own errors for this field: ListField and DRF 3.18's
        # LIST_SERIALIZER_ERRORS_AS_DICT use {index: errors}, older DRF a list.
        if isinstance(field, serializers.ListField) or getattr(
            api_settings, "LIST_SERIALIZER_ERRORS_AS_DICT", False
        ):
            return errors
        return [errors.get(i, {}) for i in range(len(value))]
    return None


if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer[Any]
else:
    _SerializerBase = object


class StrictSerializerMixin(_SerializerBase):
    """Reject input keys the serializer does not accept for writing.

    Put it before the serializer class: ``class TaskSerializer(StrictSerializerMixin,
    serializers.Serializer)``. An unknown key gets ``unknown_field``; a
    read-only or hidden field (``id``, ``owner``, ``created_at``) gets
    ``read_only_field``. The check runs before any field is validated, so a
    hostile key never reaches a validator.
    """

    def to_internal_value(self, data: Any) -> Any:
        errors = unexpected_field_errors(self, data)
        if errors:
            raise ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer[_M]):
    """A ``ModelSerializer`` that rejects unknown and read-only input keys."""
