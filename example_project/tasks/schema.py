"""OpenAPI: drf-spectacular's AutoSchema, plus the responses drf-hardening adds to every API.

drf-spectacular documents what a view returns when all goes well. The error
responses come from drf-hardening (its exception handler, its throttles), so
this schema class adds them, in the library's error format, to each operation
that can produce them, with the throttling headers. schemathesis
(tests/example/test_schemathesis.py) checks every documented status and header
against the running API.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension, OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from drf_hardening.fields import StrictCharField
from drf_hardening.serializers import StrictModelSerializer


class FieldErrorSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `min_length`.")
    message = serializers.CharField(help_text="Human-readable message.")


class ErrorDetailSerializer(serializers.Serializer[Any]):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Stable, machine-readable reason, e.g. `not_found`.")
    message = serializers.CharField(help_text="Human-readable message.")
    fields = serializers.DictField(
        child=FieldErrorSerializer(many=True),
        help_text="Per field, what is wrong with it; empty when the error is not about input.",
    )
    request_id = serializers.CharField(
        allow_null=True, help_text="Quote it when you report a problem: the logs carry it too."
    )


class ErrorSerializer(serializers.Serializer[Any]):
    """Every error of this API has this shape (drf-hardening's ``envelope`` format)."""

    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `error.fields` names each field at fault, with a stable `code`.",
    "401": "No token, or a token that is not valid (`WWW-Authenticate: Token`).",
    "403": "Authenticated, but not allowed to do this.",
    "404": "Not found, or not yours: another user's task is indistinguishable from none.",
    "429": "Too many requests: wait `Retry-After` seconds.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses

    def _error_codes(self) -> list[str]:
        codes = []
        has_body = self.method in {"POST", "PUT", "PATCH"} and self.get_request_serializer()
        if has_body or self._is_list_view():
            codes.append("400")  # bodies, filters and ?search= are validated
        if not self._is_public():
            codes += ["401", "403"]
        if "{" in self.path or self._is_list_view():
            codes.append("404")  # an object that is not yours, or a page past the end
        codes.append("429")
        return codes

    def _is_public(self) -> bool:
        permissions = self.view.get_permissions()
        return not permissions or any(isinstance(p, AllowAny) for p in permissions)

    def get_auth(self) -> list[dict[str, Any]]:
        auth: list[dict[str, Any]] = super().get_auth()
        # A view with no permission classes (DRF's token login) takes a token but needs none.
        if auth and self._is_public() and {} not in auth:
            auth.append({})
        return auth

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        # StrictModelSerializer answers 400 to any key it does not accept: say so.
        if direction == "request" and isinstance(serializer, StrictModelSerializer):
            schema["additionalProperties"] = False
        return schema

    def _get_serializer_field_meta(self, field: Any, direction: Any) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)
        # drf-spectacular sets minLength 1 on every non-blank request string, over
        # the field's own (larger) minimum.
        min_length = getattr(field, "min_length", None)
        if min_length and "minLength" in meta:
            meta["minLength"] = max(meta["minLength"], min_length)
        return meta

    def get_override_parameters(self) -> list[Any]:
        return [
            *super().get_override_parameters(),
            # drf-hardening's throttles describe the limits on every response
            # (IETF draft "RateLimit header fields for HTTP"; DRF_HARDENING["RATELIMIT_HEADERS"]).
            OpenApiParameter(
                "RateLimit-Policy",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=True,
                description='The limits that apply, e.g. `"user";q=100;w=60, "tasks";q=60;w=60`.',
            ),
            OpenApiParameter(
                "RateLimit",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=True,
                description='What is left of each, e.g. `"user";r=99;t=60, "tasks";r=59;t=60`.',
            ),
            OpenApiParameter(
                "Retry-After",
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=["429"],
                description="Seconds to wait before the next request is allowed.",
            ),
        ]


def strict_text_format(field: StrictCharField) -> str:
    """The OpenAPI ``format`` of a StrictCharField, e.g. ``strict-text(digits,letters,spaces)``.

    JSON Schema cannot say "no control, bidi or invisible characters, one script";
    a named format can, and clients (and schemathesis, see
    tests/example/test_schemathesis.py) generate values from it.
    """
    policy = field.policy
    name = "strict-identifier" if policy.identifier else "strict-text"
    options = sorted(policy.allow or ()) + (["multiline"] if policy.multiline else [])
    return f"{name}({','.join(options)})" if options else name


class StrictCharFieldExtension(OpenApiSerializerFieldExtension):
    """Document a StrictCharField's lengths and character rules.

    StrictCharField checks lengths itself (it drops CharField's length
    validators, which is where drf-spectacular looks), so without this the
    schema would claim any string is valid.
    """

    target_class = StrictCharField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field: StrictCharField = self.target
        schema: dict[str, Any] = {"type": "string", "format": strict_text_format(field)}
        if field.min_length or field.allow_blank:
            # With allow_blank, drf-spectacular adds oneOf [this, ""]: this branch must
            # not match "" too, or oneOf (exactly one) fails.
            schema["minLength"] = max(field.min_length or 0, 1)
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        return schema


class ObtainAuthTokenExtension(OpenApiViewExtension):
    """Group the library's token view with the other auth operations (without changing it)."""

    target_class = "drf_hardening.authtoken.ObtainAuthToken"

    def view_replacement(self) -> Any:
        @extend_schema(tags=["auth"], summary="Get a token")
        class ObtainAuthToken(self.target_class):  # type: ignore[name-defined,misc]
            pass

        return ObtainAuthToken
