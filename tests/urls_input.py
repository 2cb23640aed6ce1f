"""Views for the strict-input tests (tests/test_serializers.py, tests/test_request_bodies.py).

They use ``django.contrib.auth``'s ``User`` and ``Group`` so that the tests need
no models app of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import path
from rest_framework import generics, serializers
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from drf_hardening.fields import StrictCharField
from drf_hardening.serializers import StrictModelSerializer, StrictSerializerMixin


class UserSerializer(StrictModelSerializer[User]):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "is_staff", "date_joined"]
        read_only_fields = ["id", "is_staff", "date_joined"]


class MemberSerializer(serializers.Serializer[Any]):
    """Deliberately not strict: the strict parent covers what is nested in it."""

    username = StrictCharField(identifier=True, max_length=150)
    first_name = StrictCharField(max_length=150, required=False)
    is_superuser = serializers.BooleanField(read_only=True)


class TeamSerializer(StrictSerializerMixin, serializers.Serializer[Any]):
    name = StrictCharField(max_length=150, allow=["letters", "digits", "spaces"])
    leader = MemberSerializer()
    members = MemberSerializer(many=True)
    created_by = serializers.HiddenField(default="api")

    def create(self, validated_data: dict[str, Any]) -> Group:
        with transaction.atomic():
            group = Group.objects.create(name=validated_data["name"])
            people = [validated_data["leader"], *validated_data["members"]]
            group.user_set.add(*(User.objects.create(**person) for person in people))
        return group

    def to_representation(self, instance: Any) -> dict[str, Any]:
        return {"id": instance.pk, "name": instance.name}


class Open(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    # APIView binds parser and renderer classes when the class is defined
    # (encode/django-rest-framework#6030): read them per request so that the
    # tests' settings fixture acts as a project's settings.py would.
    # (The stubs type these settings as the strings a project writes; DRF imports them.)
    def get_parsers(self) -> list[BaseParser]:
        classes = cast("Sequence[type[BaseParser]]", api_settings.DEFAULT_PARSER_CLASSES)
        return [parser() for parser in classes]

    def get_renderers(self) -> list[BaseRenderer]:
        classes = cast("Sequence[type[BaseRenderer]]", api_settings.DEFAULT_RENDERER_CLASSES)
        return [renderer() for renderer in classes]


class UserCreate(Open, generics.CreateAPIView[User]):
    serializer_class = UserSerializer


class UserDetail(Open, generics.RetrieveUpdateAPIView[User]):
    serializer_class = UserSerializer
    queryset = User.objects.all()


class TeamCreate(Open, generics.CreateAPIView[Group]):
    serializer_class = TeamSerializer


class Echo(Open):
    """Returns the parsed body: the request-body tests look at what reached the view."""

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


urlpatterns = [
    path("users/", UserCreate.as_view()),
    path("users/<int:pk>/", UserDetail.as_view()),
    path("teams/", TeamCreate.as_view()),
    path("echo/", Echo.as_view()),
]
