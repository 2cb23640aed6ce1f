"""The test API's own routes: what its schema documents (tests.openapi.urls adds the docs)."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from tests.openapi.app import GroupViewSet, NoteView, PingView

router = SimpleRouter(use_regex_path=False)
router.register("groups", GroupViewSet, basename="group")

urlpatterns = [
    path("notes/", NoteView.as_view(), name="notes"),
    path("ping/", PingView.as_view(), name="ping"),
    *router.urls,
]
