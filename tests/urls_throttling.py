"""Views of the throttling, auth-guard and login tests."""

from __future__ import annotations

from django.urls import path
from rest_framework.authentication import BasicAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from drf_hardening.authtoken import obtain_auth_token
from drf_hardening.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class UserView(APIView):
    authentication_classes = (TokenAuthentication, BasicAuthentication)
    permission_classes: tuple[type[BasePermission], ...] = ()
    throttle_classes: tuple[type[BaseThrottle], ...] = (UserRateThrottle,)

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class TwoThrottlesView(UserView):
    throttle_classes = (UserRateThrottle, AnonRateThrottle)


class ScopedView(UserView):
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = "uploads"


class PrivateView(UserView):
    permission_classes = (IsAuthenticated,)
    throttle_classes = ()


urlpatterns = [
    path("user/", UserView.as_view()),
    path("two/", TwoThrottlesView.as_view()),
    path("scoped/", ScopedView.as_view()),
    path("private/", PrivateView.as_view()),
    path("login/", obtain_auth_token),
]
