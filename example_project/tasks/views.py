"""The Task Manager API. What is not written here (throttles, error format,
IsAuthenticated, JSON-only parsing, pagination) comes from harden() in settings."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import generics, serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from drf_hardening.throttling import ScopedRateThrottle
from tasks.filters import TaskFilter
from tasks.models import Task
from tasks.permissions import IsOwner
from tasks.serializers import RegisterSerializer, TaskSerializer


class ScopedThrottleMixin:
    """Add a ``ScopedRateThrottle`` (scope ``throttle_scope``) to the default throttles.

    Built per request from ``super().get_throttles()``, so the default throttles
    are read from the settings at request time, not frozen at import.
    """

    def get_throttles(self) -> list[BaseThrottle]:
        return [*super().get_throttles(), ScopedRateThrottle()]  # type: ignore[misc]


@extend_schema_view(
    list=extend_schema(summary="List my tasks"),
    create=extend_schema(summary="Create a task"),
    retrieve=extend_schema(summary="Read a task"),
    update=extend_schema(summary="Replace a task"),
    partial_update=extend_schema(summary="Change some fields of a task"),
    destroy=extend_schema(summary="Delete a task"),
)
@extend_schema(tags=["tasks"])
class TaskViewSet(ScopedThrottleMixin, viewsets.ModelViewSet[Task]):
    """The signed-in user's tasks. Another user's task is a 404, as if it did not exist."""

    serializer_class = TaskSerializer
    permission_classes = [IsAuthenticated, IsOwner]
    throttle_scope = "tasks"
    lookup_value_converter = "int"  # /api/tasks/abc/ matches no URL: a 404 before any query
    filterset_class = TaskFilter
    search_fields = ["title"]
    ordering_fields = ["created_at", "title", "completed"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Task]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Task.objects.none()
        # The one line that prevents BOLA: every query is scoped to the requesting user.
        # select_related: the owner's username in each row costs no extra query.
        user_id = self.request.user.pk  # IsAuthenticated: a user, never anonymous
        return Task.objects.filter(created_by_id=user_id).select_related("created_by")

    def perform_create(self, serializer: serializers.BaseSerializer[Task]) -> None:
        serializer.save(created_by=self.request.user)


@extend_schema(tags=["auth"], summary="Create an account")
class RegisterView(ScopedThrottleMixin, generics.CreateAPIView[Any]):
    """Create an account. The password must pass the project's password validators."""

    serializer_class = RegisterSerializer
    permission_classes = [AllowAny]
    # A token sent here would mean nothing; without authentication a bad one is not a 401.
    authentication_classes: list[Any] = []
    throttle_scope = "register"


#: The links of ``/``: name -> URL name.
INDEX_LINKS = {
    "tasks": "task-list",
    "register": "register",
    "token": "token",
    "logout": "logout",
    "schema": "schema",
    "docs": "swagger-ui",
    "redoc": "redoc",
}


class ApiRootView(APIView):
    """Where everything is. ``curl http://127.0.0.1:8000/`` answers with these links."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        responses=inline_serializer(
            "ApiIndex", {name: serializers.URLField() for name in INDEX_LINKS}
        ),
        auth=[],
        tags=["index"],
        summary="Links to everything",
    )
    def get(self, request: Request) -> Response:
        return Response({name: reverse(url, request=request) for name, url in INDEX_LINKS.items()})
