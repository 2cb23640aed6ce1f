"""The example's URLs plus ``/api/auth/leaky-token/``, a login that answers
"no such user" for unknown usernames: anyone can find out who has an account.
It is throttled like the example's login, so only the difference in answers is wrong."""

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from drf_hardening.throttling import LoginRateThrottle
from taskmanager.urls import handler400, handler403, handler404, handler500, urlpatterns
from tests.probe.variants import LEAKY_LOGIN

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class LeakyLoginView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    throttle_classes = [LoginRateThrottle]

    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        username = str(data.get("username", ""))
        if not get_user_model().objects.filter(username=username).exists():
            raise ValidationError({"username": ["No account has this username."]})
        # It signs nobody in: the probe sends wrong passwords only, and what it must notice
        # is that the two answers differ.
        raise ValidationError({"password": ["Wrong password."]})


urlpatterns = [*urlpatterns, path(LEAKY_LOGIN.lstrip("/"), LeakyLoginView.as_view())]
