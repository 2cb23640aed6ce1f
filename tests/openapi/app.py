"""A small API that uses every defence the schema documents, for tests/openapi.

Views name their classes explicitly: DRF binds the ``DEFAULT_*_CLASSES`` to
``APIView`` when it is imported, before a test's ``settings`` apply.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from rest_framework import generics, permissions, serializers, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.validators import UniqueValidator

from drf_hardening.fields import StrictCharField
from drf_hardening.pagination import PageNumberPagination
from drf_hardening.parsers import JSONParser
from drf_hardening.serializers import StrictModelSerializer, StrictSerializerMixin
from drf_hardening.throttling import ScopedRateThrottle, UserRateThrottle
from drf_hardening.tokens.authentication import TokenAuthentication


class AuthorSerializer(StrictSerializerMixin, serializers.Serializer[Any]):
    name = StrictCharField(max_length=40, allow=["letters", "spaces"])


class NoteSerializer(StrictSerializerMixin, serializers.Serializer[Any]):
    accepted = serializers.BooleanField(read_only=True, default=True)
    title = StrictCharField(max_length=80, min_length=2, allow=["letters", "digits", "spaces"])
    body = StrictCharField(max_length=500, multiline=True, required=False, allow_blank=True)
    priority = serializers.IntegerField(min_value=1, max_value=5, default=3)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=20), max_length=5, required=False
    )
    author = AuthorSerializer(required=False)

    def validate_title(self, value: str) -> str:
        if value.lower() == "forbidden":
            raise serializers.ValidationError("This title is reserved.")
        return value


class GroupSerializer(StrictModelSerializer[Group]):
    name = StrictCharField(
        max_length=150,
        allow=["letters", "digits", "spaces"],
        validators=[UniqueValidator(queryset=Group.objects.all())],
    )

    class Meta:
        model = Group
        fields = ["id", "name"]


class IsStaffForWrites(permissions.BasePermission):
    """Anyone logged in reads; only staff write (so an authenticated user can get a 403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in permissions.SAFE_METHODS or bool(request.user.is_staff)


class NoteView(generics.CreateAPIView[Any]):
    """Take a note (nothing is stored): strict input, a scoped throttle, an optional token.

    No ``@extend_schema`` in this app: it binds the schema class when the module is
    imported, before the tests set ``DEFAULT_SCHEMA_CLASS``.
    """

    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "notes"
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    serializer_class = NoteSerializer

    def perform_create(self, serializer: Any) -> None:
        pass  # validated, answered, not kept


class PingSerializer(serializers.Serializer[Any]):
    ok = serializers.BooleanField()


class PingView(generics.GenericAPIView[Any]):
    """No authentication, no throttle: only 406 and 500 can go wrong."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    serializer_class = PingSerializer

    def get(self, request: Request) -> Response:
        return Response({"ok": True})

    def delete(self, request: Request) -> Response:
        return Response(status=204)


class GroupPagination(PageNumberPagination):
    pass


class GroupViewSet(viewsets.ModelViewSet[Group]):
    """Groups: token required, staff-only writes, capped pages, a per-user throttle."""

    queryset = Group.objects.order_by("pk")
    serializer_class = GroupSerializer
    authentication_classes = [TokenAuthentication]
    permission_classes = [permissions.IsAuthenticated, IsStaffForWrites]
    throttle_classes = [UserRateThrottle]
    pagination_class = GroupPagination
    lookup_value_converter = "int"
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
