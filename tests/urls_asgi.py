"""adrf (async) views with the library's throttles, beside the sync views of urls_throttling."""

from __future__ import annotations

from adrf.views import APIView as AsyncAPIView  # type: ignore[import-untyped]
from django.urls import path
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle

from drf_hardening.throttling import UserRateThrottle
from drf_hardening.throttling.aio_throttles import (
    AsyncAnonRateThrottle,
    AsyncScopedRateThrottle,
    AsyncUserRateThrottle,
)
from tests.urls_throttling import urlpatterns as sync_urlpatterns


class AsyncUserView(AsyncAPIView):  # type: ignore[misc]  # adrf has no type hints
    authentication_classes = (TokenAuthentication, BasicAuthentication)
    permission_classes: tuple[type[BasePermission], ...] = ()
    throttle_classes: tuple[type[BaseThrottle], ...] = (AsyncUserRateThrottle,)

    async def get(self, request: Request) -> Response:
        return Response({"ok": True})


class AsyncAnonView(AsyncUserView):
    throttle_classes = (AsyncAnonRateThrottle,)


class AsyncScopedView(AsyncUserView):
    throttle_classes = (AsyncScopedRateThrottle,)
    throttle_scope = "uploads"


class AsyncUnscopedView(AsyncUserView):
    throttle_classes = (AsyncScopedRateThrottle,)


class AsyncWithSyncThrottleView(AsyncUserView):
    """A sync throttle on an async view: adrf calls it in its worker thread."""

    throttle_classes = (UserRateThrottle,)


class AsyncPrivateView(AsyncUserView):
    permission_classes = (IsAuthenticated,)
    throttle_classes = ()


urlpatterns = [
    *sync_urlpatterns,
    path("async/user/", AsyncUserView.as_view()),
    path("async/anon/", AsyncAnonView.as_view()),
    path("async/scoped/", AsyncScopedView.as_view()),
    path("async/unscoped/", AsyncUnscopedView.as_view()),
    path("async/sync-throttle/", AsyncWithSyncThrottleView.as_view()),
    path("async/private/", AsyncPrivateView.as_view()),
]
