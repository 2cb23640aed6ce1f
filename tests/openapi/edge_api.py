"""Views at the edges of what drf_hardening.openapi documents, for test_schema_edges.py.

Kept out of the test API (tests/openapi/api_urls.py), whose snapshots and schemathesis runs
cover the common shapes: each view here differs from a common one in one respect.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from rest_framework import generics, permissions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

from drf_hardening.openapi import AutoSchema
from drf_hardening.parsers import JSONParser
from drf_hardening.serializers import StrictSerializerMixin
from drf_hardening.tokens.authentication import TokenAuthentication
from tests.openapi.field_shapes import AddressSerializer


class AnyBodyParser(BaseParser):
    """Takes any media type: no body can be a 415 (the schema only reads ``media_type``)."""

    media_type = "*/*"


class ParcelSerializer(StrictSerializerMixin, serializers.Serializer[Any]):
    """A parcel to send (a docstring of its own, kept as the schema's description)."""

    weight = serializers.IntegerField(min_value=1)
    # Optional and nullable, with no validate_to: no code of its own, only its members'.
    to = AddressSerializer(required=False, allow_null=True)


class Base(generics.CreateAPIView[Any]):
    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]
    serializer_class = ParcelSerializer


class AnyBodyView(Base):
    parser_classes = [AnyBodyParser]


class ListBodyView(Base):
    def get_serializer(self, *args: Any, **kwargs: Any) -> Any:
        return ParcelSerializer(*args, many=True, **kwargs)


class DeclaredNotFoundSchema(AutoSchema):
    def get_response_serializers(self) -> Any:
        return {201: ParcelSerializer, 404: AddressSerializer}


class DeclaredNotFoundView(Base):
    """Declares its own 404 body, which the library must leave as it is."""

    schema = DeclaredNotFoundSchema()


class NoPermissionsView(Base):
    """A token is checked when sent, never needed: the operation is also open to anyone."""

    authentication_classes = [TokenAuthentication]
    permission_classes: list[Any] = []


urlpatterns = [
    path("any-body/", AnyBodyView.as_view()),
    path("list-body/", ListBodyView.as_view()),
    path("declared-404/<int:pk>/", DeclaredNotFoundView.as_view()),
    path("no-permissions/", NoPermissionsView.as_view()),
]
