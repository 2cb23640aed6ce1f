from __future__ import annotations

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class Ping(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"pong": True})


urlpatterns = [path("ping/", Ping.as_view())]

handler400 = "drf_hardening.views.handler400"
handler403 = "drf_hardening.views.handler403"
handler404 = "drf_hardening.views.handler404"
handler500 = "drf_hardening.views.handler500"
