"""``AutoSchema``: drf-spectacular's, plus every error response drf-hardening can send."""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ComponentRegistry, force_instance, get_doc
from rest_framework import serializers

from drf_hardening import error_formats
from drf_hardening.conf import conf
from drf_hardening.exceptions import exception_handler
from drf_hardening.fields import StrictCharField
from drf_hardening.openapi import components, statuses
from drf_hardening.openapi.bodies import Schema, validation_error_schema
from drf_hardening.openapi.extensions import describe_policy
from drf_hardening.openapi.field_errors import FieldErrors, merge, serializer_errors
from drf_hardening.pagination import PageNumberPagination
from drf_hardening.serializers import StrictModelSerializer, StrictSerializerMixin

#: The description of each error response; the codes are the ``code`` of its body.
ERROR_DESCRIPTIONS = {
    400: "Invalid input (`invalid`, each field at fault with its own codes), a malformed "
    "body (`parse_error`) or a request Django refuses (`bad_request`).",
    401: "No credentials where they are needed (`not_authenticated`), or credentials that "
    "are not valid (`authentication_failed`).",
    403: "Authenticated, but not allowed to do this (`permission_denied`, or the "
    "permission's own code; `csrf_failed`).",
    404: "Not found (`not_found`): no such object, one that is not yours, or a page past the end.",
    406: "None of the media types in `Accept` can be produced (`not_acceptable`).",
    413: "The body is larger than the server accepts (`request_too_large`).",
    415: "The `Content-Type` of the body is not accepted (`unsupported_media_type`).",
    429: "Too many requests (`throttled`): wait `Retry-After` seconds.",
    500: "A server error (`server_error`); the body never says more. Quote the request id.",
    503: "Rate limiting is unavailable and this API fails closed (`throttle_unavailable`): "
    "retry after `Retry-After` seconds.",
}
_WORDS = re.compile(r"[^A-Za-z0-9]+")
_LIBRARY_DOCS = frozenset(get_doc(cls) for cls in (StrictSerializerMixin, StrictModelSerializer))


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's ``AutoSchema``, telling the truth about drf-hardening's defences.

    ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_hardening.openapi.AutoSchema"``.
    Adds to each operation the error responses it can give, in ``ERROR_FORMAT``
    (400 with per-field code enums), the ``X-Request-ID``, ``Retry-After`` and
    ``RateLimit`` headers, and the request id parameter; see docs/openapi.md.
    Responses a view declares with ``@extend_schema`` are kept as they are.
    Override ``get_error_statuses`` or ``get_error_response`` to change one.
    """

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        responses: dict[str, Any] = operation["responses"]
        errors_are_ours = self.view.get_exception_handler() is exception_handler
        if errors_are_ours:
            for status in self.get_error_statuses(operation):
                if str(status) not in responses:
                    responses[str(status)] = self.get_error_response(status, operation)
        for code, response in responses.items():
            self._add_headers(int(code) if code.isdigit() else 0, response, errors_are_ours)
        return operation

    def get_error_statuses(self, operation: dict[str, Any]) -> list[int]:
        """The error statuses ``operation`` (drf-spectacular's dict so far) can answer with."""
        view, found = self.view, [406, 500]
        has_body = "requestBody" in operation
        if has_body or self._query_errors() is not None:
            found.append(400)
        security = [requirement for requirement in operation.get("security", []) if requirement]
        challenges = statuses.challenges(view)
        if security and challenges:
            found.append(401)
        if statuses.refuses_authenticated(view, self.method) or (security and not challenges):
            found.append(403)
        parameters = operation.get("parameters", [])
        if any(p.get("in") == "path" for p in parameters) or (
            self._is_list_view() and statuses.paginator_can_404(self._paginator())
        ):
            found.append(404)
        if has_body:
            found.append(413)
            if not any(parser.media_type == "*/*" for parser in view.get_parsers()):
                found.append(415)
        guard = statuses.guard_is_active()
        if guard or statuses.throttled(view):
            found.append(429)
        if not conf.THROTTLE_FAIL_OPEN and (guard or statuses.library_throttles(view)):
            found.append(503)
        return sorted(found)

    def get_error_response(self, status: int, operation: dict[str, Any]) -> dict[str, Any]:
        """The response object of ``status``: its description and its body's ``$ref``."""
        error_format = conf.ERROR_FORMAT
        if status == 400:
            body = self._validation_error_body(operation, error_format)
        else:
            body = components.error_body(self.registry, error_format)
        return {
            "description": ERROR_DESCRIPTIONS.get(status, "An error."),
            "content": {error_formats.media_type(error_format): {"schema": body}},
        }

    def _validation_error_body(self, operation: dict[str, Any], error_format: str) -> Schema:
        components.error_body(self.registry, error_format)  # the shared parts it refers to
        tree, name = FieldErrors(), _camel(operation["operationId"])
        if "requestBody" in operation:
            serializer = force_instance(self.get_request_serializer())  # type: ignore[no-untyped-call]
            partial = self.method == "PATCH"
            if isinstance(serializer, serializers.Serializer):
                merge(tree, serializer_errors(serializer, partial=partial))
                name = ("Patched" if partial else "") + self._get_serializer_name(
                    serializer, "response"
                )
            else:  # a list body, a plain dict or a type hint: codes unknown
                tree.any_code = True
        query = self._query_errors()
        if query is not None:
            merge(tree, query)
        schema = validation_error_schema(error_format, tree)
        return components.named_body(self.registry, f"{name}ValidationError", schema)

    def _query_errors(self) -> FieldErrors | None:
        if not self._is_list_view():
            return None
        return statuses.query_errors(self.view, self._paginator(), self.get_filter_backends())

    def _paginator(self) -> Any:
        return self._get_paginator()  # type: ignore[no-untyped-call]

    def _add_headers(self, status: int, response: dict[str, Any], errors_are_ours: bool) -> None:
        request_id = conf.REQUEST_ID_HEADER
        wanted = []
        if statuses.has_request_id_middleware() or (errors_are_ours and status >= 400):
            wanted.append(request_id)
        if status == 401:
            wanted.append(components.WWW_AUTHENTICATE)
        if status in (429, 503):
            wanted.append(components.RETRY_AFTER)
        if conf.RATELIMIT_HEADERS and statuses.library_throttles(self.view):
            wanted += [components.RATELIMIT_POLICY, components.RATELIMIT]
        headers = response.setdefault("headers", {})
        for name in wanted:
            headers.setdefault(name, components.header(self.registry, name, request_id))
        if not headers:
            del response["headers"]

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_parameters()
        if statuses.has_request_id_middleware():
            parameters.append(
                {
                    "in": "header",
                    "name": conf.REQUEST_ID_HEADER,
                    "schema": {"type": "string"},
                    "description": "An id for this request, echoed in the response and kept "
                    "in the logs when 8-128 of `A-Z a-z 0-9 . _ : = + / @ -`; anything else "
                    "is replaced by a new id.",
                }
            )
        return parameters

    def _get_pagination_parameters(self) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._get_pagination_parameters()  # type: ignore[no-untyped-call]
        paginator = self._paginator()
        if isinstance(paginator, PageNumberPagination):
            cap = paginator.max_page_size
            for parameter in parameters:
                if parameter["name"] == paginator.page_size_query_param:
                    parameter["schema"]["maximum"] = cap
                    parameter["description"] = (
                        f"{parameter.get('description', '')} At most {cap}: a larger value "
                        f"is served as {cap}."
                    ).strip()
        return parameters

    def get_auth(self) -> list[dict[str, Any]]:
        auth: list[dict[str, Any]] = super().get_auth()
        # No permission classes at all: a credential is checked if sent, never needed.
        if auth and not self.view.get_permissions() and {} not in auth:
            auth.append({})
        return auth

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)  # type: ignore[no-untyped-call]
        if isinstance(force_instance(serializer), StrictSerializerMixin):  # type: ignore[no-untyped-call]
            # A serializer without a docstring would be described by the mixin's.
            if schema.get("description") in _LIBRARY_DOCS:
                del schema["description"]
            # It answers 400 to a key it does not accept (unknown_field, read_only_field).
            if direction == "request":
                schema["additionalProperties"] = False
        return schema

    def _get_serializer_field_meta(self, field: Any, direction: Any) -> dict[str, Any]:
        meta: dict[str, Any] = super()._get_serializer_field_meta(field, direction)  # type: ignore[no-untyped-call]
        if isinstance(field, StrictCharField):
            # drf-spectacular's request minLength (1) would replace the field's own; the
            # field's help text would replace the policy's description.
            if field.min_length and "minLength" in meta:
                meta["minLength"] = max(meta["minLength"], field.min_length)
            if "description" in meta:
                meta["description"] = f"{meta['description']}\n\n{describe_policy(field)}"
        return meta


def _camel(operation_id: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in _WORDS.split(operation_id))
