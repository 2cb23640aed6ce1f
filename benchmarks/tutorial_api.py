"""Baseline (a) of fullstack_bench.py: the task list as the tutorials write it, DRF only.

The URLconf, view, serializer and exception handler of ``tutorial_settings``.
The example project's ``tasks`` app provides the model and the database.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import include, path
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters, serializers, viewsets
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import exception_handler

from tasks.models import Task


def custom_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The tutorial's handler: DRF's, plus the status code in the body."""
    response = exception_handler(exc, context)
    if response is not None:
        response.data["status_code"] = response.status_code
    return response


class TaskSerializer(serializers.ModelSerializer[Task]):
    owner = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Task
        fields = ["id", "title", "description", "completed", "created_at", "owner"]
        read_only_fields = ["id", "created_at", "owner"]


class TaskViewSet(viewsets.ModelViewSet[Task]):
    serializer_class = TaskSerializer
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "tasks"
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["completed"]
    search_fields = ["title"]
    ordering_fields = ["created_at", "title", "completed"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Task]:
        return Task.objects.filter(created_by=self.request.user).select_related("created_by")

    def perform_create(self, serializer: serializers.BaseSerializer[Task]) -> None:
        serializer.save(created_by=self.request.user)


router = DefaultRouter()
router.register("tasks", TaskViewSet, basename="task")
urlpatterns = [path("api/", include(router.urls))]
