"""Which error codes each input field can give: the tree behind a 400's per-field enums.

The approach of drf-standardized-errors: a field can fail with the codes of its
``error_messages`` and of its validators, less the ones whose condition does
not hold (``required`` on an optional field, ``max_length`` with no maximum...).
A code listed here that a field never raises costs nothing; a code a field can
raise but that is missing would make the schema lie, so every doubt resolves
to listing it. A code that ``validate()`` or a custom validator raises is
unknowable from outside: give the validator a ``code`` attribute, as Django's
validators have, or declare it on the serializer::

    class LoginSerializer(serializers.Serializer):
        #: {field name, or "non_field_errors" (None: whatever NON_FIELD_ERRORS_KEY is): codes}
        schema_error_codes = {"non_field_errors": ["authorization"]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rest_framework import serializers
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

from drf_hardening.fields import StrictCharField
from drf_hardening.serializers import StrictSerializerMixin

#: Codes in ``error_messages`` that a field raises only under a condition (below).
_CONDITIONAL = frozenset(
    {"required", "null", "blank", "empty", "max_length", "min_length", "max_value", "min_value"}
    | {"max_digits", "max_decimal_places", "max_whole_digits"}
)
#: ``CharField`` codes that ``StrictCharField`` never raises: its policy checks the type
#: (``not_a_string``) and the lengths (``too_long``, ``too_short``) itself.
_NOT_STRICT = frozenset({"invalid", "max_length", "min_length"})
#: ``TextPolicy`` codes raised only when the option that enables them is set.
_STRICT_OPTIONS: dict[str, Callable[[StrictCharField], bool]] = {
    "too_short": lambda f: f.min_length is not None,
    "too_many_bytes": lambda f: f.policy.max_bytes is not None,
    "disallowed_character": lambda f: f.policy.allow is not None,
    "mixed_script": lambda f: f.policy.reject_mixed_script,
}


@dataclass
class FieldErrors:
    """The errors one position of the input can carry, as the error body nests them.

    ``codes``: the codes of a list of errors at this position. ``members``: named
    children (a serializer's fields, ``non_field_errors``). ``items``: the errors
    of any member of a list or dict, keyed by index or key. ``unknown``: the
    codes for keys the serializer does not know (strict serializers only).
    ``any_code``: a source whose codes cannot be known (a filter backend).
    """

    codes: set[str] = field(default_factory=set)
    members: dict[str, FieldErrors] = field(default_factory=dict)
    items: FieldErrors | None = None
    unknown: set[str] = field(default_factory=set)
    any_code: bool = False

    def member(self, name: str) -> FieldErrors:
        return self.members.setdefault(name, FieldErrors())

    def can_fail(self) -> bool:
        """Whether any error can be reported here (a filter on a boolean never fails)."""
        return bool(self.codes or self.unknown or self.any_code or self.items) or any(
            member.can_fail() for member in self.members.values()
        )


def field_codes(field: serializers.Field[Any, Any, Any, Any]) -> set[str]:
    """The codes ``field`` itself can raise (not those of its children)."""
    messages = set(field.error_messages)
    codes = messages - _CONDITIONAL
    if isinstance(field, StrictCharField):
        codes -= _NOT_STRICT | set(_STRICT_OPTIONS)
        codes |= {code for code, enabled in _STRICT_OPTIONS.items() if enabled(field)}
    else:
        for attribute in ("max_length", "min_length", "max_value", "min_value"):
            if getattr(field, attribute, None) is not None and attribute in messages:
                codes.add(attribute)
        if getattr(field, "max_digits", None) is not None:
            codes |= {"max_digits", "max_whole_digits"} & messages
        if getattr(field, "decimal_places", None) is not None:
            codes |= {"max_decimal_places", "max_whole_digits"} & messages
        if getattr(field, "allow_empty", True) is False and "empty" in messages:
            codes.add("empty")
    if field.required:
        codes.add("required")
    if not field.allow_null:
        codes.add("null")
    if getattr(field, "allow_blank", True) is False and "blank" in messages:
        codes.add("blank")
    for validator in _validators(field):
        if isinstance(validator, UniqueValidator):
            codes.add("unique")
        elif code := _validator_code(validator):
            codes.add(code)
    if _has_validate_method(field):
        codes.add("invalid")  # ValidationError's default code
    return codes


def _validators(field: serializers.Field[Any, Any, Any, Any]) -> list[Any]:
    # Any: the stubs type them as plain callables; DRF's and Django's are classes.
    return list(field.validators)


def _validator_code(validator: Any) -> str | None:
    """Django's validators name the code they raise (``MaxLengthValidator.code``...)."""
    code = getattr(validator, "code", None)
    return code if isinstance(code, str) else None


def _has_validate_method(field: serializers.Field[Any, Any, Any, Any]) -> bool:
    parent = getattr(field, "parent", None)
    return parent is not None and callable(getattr(parent, f"validate_{field.field_name}", None))


def serializer_errors(
    serializer: serializers.BaseSerializer[Any], *, partial: bool = False
) -> FieldErrors:
    """The errors a request body validated by ``serializer`` can carry."""
    tree = _field_tree(serializer, partial=partial)
    # The body's own errors are reported under the non-field key: JSON ``null`` ("No data
    # provided"), and for a list body (``many=True``) not a list, empty, too long or too
    # short. ``required`` cannot happen to a whole body.
    tree.member(api_settings.NON_FIELD_ERRORS_KEY).codes |= tree.codes - {"required"}
    tree.codes = set()
    return tree


def _field_tree(field: Any, *, partial: bool) -> FieldErrors:
    if isinstance(field, serializers.ListSerializer):
        node = FieldErrors(codes=field_codes(field))
        node.items = _field_tree(field.child, partial=partial)
        node.items.codes.discard("required")
        return node
    if isinstance(field, serializers.Serializer):
        return _serializer_tree(field, partial=partial)
    node = FieldErrors(codes=field_codes(field))
    if partial:
        node.codes.discard("required")
    if isinstance(field, serializers.ListField | serializers.DictField) and field.child:
        node.items = _field_tree(field.child, partial=partial)
        node.items.codes.discard("required")  # an item is there, or it is not an item
    if isinstance(field, serializers.ManyRelatedField):
        # DRF reports the child relation's errors as the field's own.
        node.codes |= set(field.child_relation.error_messages) - {"required", "null"}
    return node


def _serializer_tree(serializer: serializers.Serializer[Any], *, partial: bool) -> FieldErrors:
    # A nested value that is not an object fails under its own non-field key.
    node = FieldErrors(codes=field_codes(serializer))
    if not _has_validate_method(serializer):
        node.codes.discard("invalid")
    if partial:
        node.codes.discard("required")
    non_field = node.member(api_settings.NON_FIELD_ERRORS_KEY)
    non_field.codes.add("invalid")  # "Invalid data. Expected a dictionary", and validate()
    strict = isinstance(serializer, StrictSerializerMixin)
    for name, child in serializer.fields.items():
        if child.read_only or isinstance(child, serializers.HiddenField):
            if strict:
                node.member(name).codes.add("read_only_field")
            continue
        node.members[name] = _field_tree(child, partial=partial)
    for validator in _validators(serializer):
        if isinstance(validator, UniqueTogetherValidator):
            non_field.codes.add("unique")
            for name in validator.fields:
                if name in node.members and not partial:
                    node.members[name].codes.add("required")
        elif code := _validator_code(validator):
            non_field.codes.add(code)
    # The serializer's own messages (self.fail("...") in validate()) and declared codes.
    non_field.codes |= set(serializer.error_messages) - {"required", "null"}
    for name, codes in getattr(serializer, "schema_error_codes", {}).items():
        key = api_settings.NON_FIELD_ERRORS_KEY if name in (None, "non_field_errors") else name
        node.member(key).codes |= set(codes)
    if strict:
        node.unknown = {"unknown_field"}
        # More than MAX_REPORTED_FIELDS keys, or unprintable ones, are reported here.
        non_field.codes.add("unknown_field")
    return node


def parameter_errors(codes_by_name: Mapping[str, Iterable[str]]) -> FieldErrors:
    """A tree for query-parameter errors, ``{name: codes}``."""
    tree = FieldErrors()
    for name, codes in codes_by_name.items():
        tree.member(name).codes |= set(codes)
    return tree


def merge(target: FieldErrors, other: FieldErrors) -> None:
    """Add the errors of ``other`` to ``target``."""
    target.codes |= other.codes
    target.unknown |= other.unknown
    target.any_code = target.any_code or other.any_code
    for name, child in other.members.items():
        merge(target.member(name), child)
    if other.items is not None:
        if target.items is None:
            target.items = FieldErrors()
        merge(target.items, other.items)
