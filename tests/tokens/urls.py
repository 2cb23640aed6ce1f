"""The token views, a private view with the library's tokens, and DRF's login for the import."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.authentication import BasicAuthentication
from rest_framework.authtoken.views import obtain_auth_token as drf_obtain_auth_token
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.tokens.authentication import TokenAuthentication


class WhoAmIView(APIView):
    authentication_classes = (TokenAuthentication, BasicAuthentication)
    permission_classes = (IsAuthenticated,)
    throttle_classes = ()

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username()})


urlpatterns = [
    path("auth/", include("drf_hardening.tokens.urls")),
    path("me/", WhoAmIView.as_view()),
    path("drf-login/", drf_obtain_auth_token),
]
