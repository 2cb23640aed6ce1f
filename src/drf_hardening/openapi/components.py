"""Shared components: error bodies under ``schemas``, response headers under ``headers``.

Each is registered once per schema (``register_on_missing``); operations refer
to them by ``$ref``. A per-operation 400 body gets a name from its serializer,
and a numbered one if another body already has that name.
"""

from __future__ import annotations

import json
from typing import Any
from weakref import WeakKeyDictionary

from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent

from drf_hardening.openapi.bodies import Schema, shared_schemas

#: Per registry (one per generated schema): body name -> its canonical JSON.
_BODIES: WeakKeyDictionary[ComponentRegistry, dict[str, str]] = WeakKeyDictionary()

RETRY_AFTER = "Retry-After"
RATELIMIT_POLICY = "RateLimit-Policy"
RATELIMIT = "RateLimit"
WWW_AUTHENTICATE = "WWW-Authenticate"


def header_schemas(request_id_header: str) -> dict[str, Schema]:
    """The response headers the library sends, as OpenAPI Header Objects."""
    return {
        request_id_header: {
            "required": True,
            "schema": {"type": "string"},
            "description": "The id of this request: quote it when you report a problem, "
            "the logs carry it too. Echoes a well-formed id sent in the request.",
        },
        RETRY_AFTER: {
            "schema": {"type": "integer", "minimum": 0},
            "description": "Seconds to wait before the next request can succeed.",
        },
        RATELIMIT_POLICY: {
            "schema": {"type": "string"},
            "description": "The quotas that apply (draft-ietf-httpapi-ratelimit-headers), one "
            'item per throttle, e.g. `"user";q=100;w=60, "tasks";q=60;w=60`.',
        },
        RATELIMIT: {
            "schema": {"type": "string"},
            "description": "What is left of each quota and when it resets, in seconds, e.g. "
            '`"user";r=99;t=60, "tasks";r=59;t=60`.',
        },
        WWW_AUTHENTICATE: {
            "required": True,
            "schema": {"type": "string"},
            "description": "The authentication scheme to use (RFC 9110 11.6.1).",
        },
    }


def _register(registry: ComponentRegistry, name: str, kind: str, schema: Schema) -> Schema:
    component = ResolvedComponent(name=name, type=kind, schema=schema, object=name)  # type: ignore[no-untyped-call]
    registry.register_on_missing(component)
    return component.ref


def error_body(registry: ComponentRegistry, error_format: str) -> Schema:
    """The ``$ref`` of the shared error body, registering its components on first use."""
    for name, schema in shared_schemas(error_format).items():
        _register(registry, name, ResolvedComponent.SCHEMA, schema)
    return {"$ref": "#/components/schemas/Error"}


def named_body(registry: ComponentRegistry, name: str, schema: Schema) -> Schema:
    """The ``$ref`` of ``schema`` under ``name``, or ``name2``... if that name holds another."""
    bodies = _BODIES.setdefault(registry, {})
    canonical = json.dumps(schema, sort_keys=True)
    candidate, number = name, 1
    while bodies.get(candidate, canonical) != canonical:
        number += 1
        candidate = f"{name}{number}"
    bodies[candidate] = canonical
    return _register(registry, candidate, ResolvedComponent.SCHEMA, schema)


def header(registry: ComponentRegistry, name: str, request_id_header: str) -> dict[str, Any]:
    """The ``$ref`` of the response header ``name``, registered on first use."""
    schema = header_schemas(request_id_header)[name]
    return _register(registry, name, ResolvedComponent.HEADER, schema)
