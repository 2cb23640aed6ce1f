"""The JSON Schemas of error bodies, in each ``ERROR_FORMAT``, as ``error_formats`` builds them.

``error_schema`` is the body of every error that is not about input fields;
``validation_error_schema`` the body of a 400 with the field errors of a
``FieldErrors`` tree, per field an enum of its codes. ``refs`` maps a shared
component name to its ``$ref``; tests/openapi/snapshots/ holds what each returns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from rest_framework.settings import api_settings

from drf_hardening.openapi.field_errors import FieldErrors

Schema = dict[str, Any]
Refs = Callable[[str], Schema]

_STRING: Schema = {"type": "string"}
_REQUEST_ID = {"type": "string", "description": "The id of the request, as in its header."}
_REGEX_SPECIAL = re.compile(r"([.^$*+?()\[\]{}|\\])")


def shared_schemas(error_format: str) -> dict[str, Schema]:
    """The components every error body of ``error_format`` refers to, by name."""
    if error_format == "problem":
        return {
            "Error": _problem(
                errors={"type": "array", "items": {"$ref": _ref("ProblemFieldError")}}
            ),
            "ProblemFieldError": _object(
                pointer={"type": "string", "description": "RFC 6901 JSON Pointer to the value."},
                code=_STRING,
                detail=_STRING,
            ),
        }
    if error_format == "drf":
        return {"Error": _object(detail=_STRING)}
    return {
        "Error": _object(error={"$ref": _ref("ErrorDetails")}),
        "ErrorDetails": _envelope_details(
            {
                "type": "object",
                "additionalProperties": True,
                "description": "Empty unless the error is about input fields.",
            }
        ),
    }


def validation_error_schema(error_format: str, tree: FieldErrors) -> Schema:
    """A 400 body whose field errors are the ones ``tree`` allows."""
    if error_format == "problem":
        entries = list(_problem_entries(tree))
        items: Schema = {"anyOf": entries} if entries else {"$ref": _ref("ProblemFieldError")}
        return _problem(errors={"type": "array", "items": items})
    if error_format == "drf":
        # A malformed body is {"detail": ...}; field errors are DRF's own dict.
        return {"anyOf": [{"$ref": _ref("Error")}, _members_schema(tree, _drf_leaf, lists=True)]}
    return _object(error=_envelope_details(_members_schema(tree, _envelope_leaf, lists=False)))


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _object(**properties: Schema) -> Schema:
    return {"type": "object", "required": list(properties), "properties": properties}


def _envelope_details(fields: Schema) -> Schema:
    return _object(
        status={"type": "integer", "description": "The HTTP status, repeated."},
        code={"type": "string", "description": "Stable, machine-readable reason."},
        message={"type": "string", "description": "Human-readable; never repeats the input."},
        fields=fields,
        request_id=_REQUEST_ID,
    )


def _problem(errors: Schema) -> Schema:
    schema = _object(
        type={"type": "string", "description": "Always `about:blank` (RFC 9457 4.2.1)."},
        title={"type": "string", "description": "The HTTP status phrase."},
        status={"type": "integer"},
        detail=_STRING,
        instance={"type": "string", "description": "The request path."},
        code={"type": "string", "description": "Stable, machine-readable reason."},
        request_id=_REQUEST_ID,
    )
    schema["properties"]["errors"] = {
        **errors,
        "description": "One entry per invalid value; present when the error is about input.",
    }
    return schema


def _code(codes: set[str], any_code: bool) -> Schema:
    return dict(_STRING) if any_code else {"type": "string", "enum": sorted(codes)}


def _envelope_leaf(codes: set[str], any_code: bool) -> Schema:
    entry = _object(code=_code(codes, any_code), message=_STRING)
    return {"type": "array", "items": entry}


def _drf_leaf(codes: set[str], any_code: bool) -> Schema:
    return {"type": "array", "items": _STRING}


Leaf = Callable[[set[str], bool], Schema]


def _node_schema(node: FieldErrors, leaf: Leaf, *, lists: bool) -> Schema:
    """The errors at one position: a list of errors, nested errors, or either."""
    choices = []
    if node.codes or node.any_code:
        choices.append(leaf(node.codes, node.any_code))
    if any(member.can_fail() for member in node.members.values()) or (
        node.items or node.unknown or node.any_code
    ):
        choices.append(_members_schema(node, leaf, lists=lists))
    return choices[0] if len(choices) == 1 else {"anyOf": choices}


def _members_schema(node: FieldErrors, leaf: Leaf, *, lists: bool) -> Schema:
    schema: Schema = {"type": "object"}
    members = {name: child for name, child in node.members.items() if child.can_fail()}
    if members:
        schema["properties"] = {
            name: _node_schema(child, leaf, lists=lists) for name, child in members.items()
        }
    if node.items is not None:
        item = _node_schema(node.items, leaf, lists=lists)
        schema["additionalProperties"] = item
        if lists:
            # DRF before 3.18 (or without LIST_SERIALIZER_ERRORS_AS_DICT) sends a
            # list with {} for each valid item.
            return {"anyOf": [schema, {"type": "array", "items": {"anyOf": [item, {}]}}]}
    elif node.any_code:
        schema["additionalProperties"] = True
    elif node.unknown:
        schema["additionalProperties"] = leaf(node.unknown, False)
    else:
        schema["additionalProperties"] = False
    return schema


def _escape_pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _pointers(
    node: FieldErrors, literal: str | None, pattern: str
) -> Iterator[tuple[str | None, str, set[str], bool]]:
    """``(literal pointer or None, pointer regex, codes, any_code)`` for each position."""
    if node.codes:
        yield literal, pattern, node.codes, False
    for name, child in node.members.items():
        if name == api_settings.NON_FIELD_ERRORS_KEY:
            yield from _pointers(FieldErrors(codes=child.codes), literal, pattern)
            continue
        segment = "/" + _escape_pointer(name)
        yield from _pointers(
            child,
            None if literal is None else literal + segment,
            pattern + _REGEX_SPECIAL.sub(r"\\\1", segment),
        )
    if node.items is not None:
        yield from _pointers(node.items, None, pattern + "/[^/]+")
    if node.unknown:
        # An unknown field's name may be any JSON key, the empty one included ("#/").
        yield None, pattern + "/[^/]*", node.unknown, False
    if node.any_code:
        yield None, pattern + "(/.*)?", set(), True


def _problem_entries(tree: FieldErrors) -> Iterator[Schema]:
    """One ``errors`` item schema per set of codes: the pointers that can carry them."""
    literals: dict[frozenset[str], list[str]] = {}
    for literal, pattern, codes, any_code in _pointers(tree, "#", "^#"):
        if literal is not None:
            literals.setdefault(frozenset(codes), []).append(literal)
            continue
        matching: Schema = {"type": "string", "pattern": pattern + "$"}
        yield _object(pointer=matching, code=_code(codes, any_code), detail=_STRING)
    for code_set, pointers in literals.items():
        listed: Schema = {"type": "string", "enum": sorted(pointers)}
        yield _object(pointer=listed, code=_code(set(code_set), False), detail=_STRING)
