"""Views that fail in every way the error handler and the error views must answer.

DRF views under ``/api/``, plain Django views under ``/plain/``, and the
library's handlers as this URLconf's ``handlerXXX`` (Django reads them from
the root URLconf only).
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.decorators.csrf import csrf_protect
from rest_framework import exceptions, serializers
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from drf_hardening.fields import StrictCharField
from drf_hardening.parsers import JSONParser as HardenedJSONParser
from drf_hardening.throttling import AnonRateThrottle

handler400 = "drf_hardening.views.handler400"
handler403 = "drf_hardening.views.handler403"
handler404 = "drf_hardening.views.handler404"
handler500 = "drf_hardening.views.handler500"


class JSONView(APIView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    renderer_classes = [JSONRenderer]
    parser_classes = [JSONParser]


class Boom(JSONView):
    def get(self, request: Request) -> Response:
        User.objects.create(username="created-before-the-error")
        raise RuntimeError("secret-db-password")


class Address(serializers.Serializer[Any]):
    city = serializers.CharField(max_length=5)


class Item(serializers.Serializer[Any]):
    name = serializers.CharField()


class Order(serializers.Serializer[Any]):
    title = serializers.CharField()
    address = Address()
    items = Item(many=True)
    tags = serializers.ListField(child=serializers.IntegerField())


#: A body that breaks ``Order`` at every depth: a field, a nested field, a list item, a child.
ORDER = {
    "title": "",
    "address": {"city": "far-too-long"},
    "items": [{"name": "ok"}, {}],
    "tags": [1, "x"],
}


class Validate(JSONView):
    def post(self, request: Request) -> Response:
        serializer = Order(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class ValidateMany(JSONView):
    def post(self, request: Request) -> Response:
        serializer = Item(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class Comment(serializers.Serializer[Any]):
    author = StrictCharField(max_length=20)
    replies = serializers.ListField(child=StrictCharField(), required=False)


class PostComment(JSONView):
    def post(self, request: Request) -> Response:
        serializer = Comment(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class RaiseValidationMessage(JSONView):
    def get(self, request: Request) -> Response:
        raise exceptions.ValidationError("The date range is reversed.")


class TokenProtected(JSONView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class SessionProtected(JSONView):
    """DRF's ``SessionAuthentication`` enforces CSRF on unsafe methods of a logged-in user."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        return Response({"ok": True})


class DjangoBadRequest(JSONView):
    def get(self, request: Request) -> Response:
        raise BadRequest("malformed thing in the query: <script>")


class Forbidden(JSONView):
    def get(self, request: Request) -> Response:
        raise exceptions.PermissionDenied()


class DjangoForbidden(JSONView):
    def get(self, request: Request) -> Response:
        raise PermissionDenied("internal rule 17 of the billing module")


class Missing(JSONView):
    def get(self, request: Request) -> Response:
        return Response({"username": get_object_or_404(User, pk=987654).username})


class GetOnly(JSONView):
    def get(self, request: Request) -> Response:
        return Response({})


class Echo(JSONView):
    # The preset's parser: DRF 3.16's own JSONParser reads past DATA_UPLOAD_MAX_MEMORY_SIZE.
    parser_classes = [HardenedJSONParser]

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


class ReadBody(JSONView):
    """Reads ``request.body``, which enforces ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def post(self, request: Request) -> Response:
        return Response({"length": len(request.body)})


class Suspicious(JSONView):
    def get(self, request: Request) -> Response:
        raise SuspiciousOperation("Invalid HTTP_HOST header: 'evil.example'")


class Teapot(exceptions.APIException):
    """A status Python's ``HTTPStatus`` has no name for."""

    status_code = 499
    default_detail = "Client closed the request."
    default_code = "client_closed_request"


class OddStatus(JSONView):
    def get(self, request: Request) -> Response:
        raise Teapot()


class AlwaysThrottled(BaseThrottle):
    def allow_request(self, request: Any, view: Any) -> bool:
        return False

    def wait(self) -> float:
        return 41.2


class Throttled(JSONView):
    # No handler: DRF checks throttles before it looks for one, so every method is a 429.
    throttle_classes = [AlwaysThrottled]


class LibraryThrottled(JSONView):
    """The library's own throttle, which logs its ``throttled`` event with the scope."""

    throttle_classes = [AnonRateThrottle]

    def get(self, request: Request) -> Response:
        return Response({})


class Careless(JSONView):
    """Application code that logs what it should not: user text and the request headers."""

    def post(self, request: Request) -> Response:
        title = request.data.get("title") if isinstance(request.data, dict) else None
        logging.getLogger("tests.careless").warning(
            "title %s, url %s, headers %s",
            title,
            request.get_full_path(),
            dict(request.headers),
        )
        return Response({})


def plain_boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("secret-db-password")


def plain_forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("internal rule 17")


def plain_missing(request: HttpRequest) -> HttpResponse:
    return HttpResponse(get_object_or_404(User, pk=987654).username)


def plain_suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("Invalid HTTP_HOST header: 'evil.example'")


def plain_bad_request(request: HttpRequest) -> HttpResponse:
    raise BadRequest("malformed thing in the query: <script>")


def plain_form(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(len(request.POST)))


def plain_body(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(len(request.body)))


@csrf_protect
def plain_csrf(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("api/boom/", Boom.as_view()),
    path("api/validate/", Validate.as_view()),
    path("api/validate-many/", ValidateMany.as_view()),
    path("api/validation-message/", RaiseValidationMessage.as_view()),
    path("api/comment/", PostComment.as_view()),
    path("api/odd-status/", OddStatus.as_view()),
    path("api/token/", TokenProtected.as_view()),
    path("api/session/", SessionProtected.as_view()),
    path("api/django-bad-request/", DjangoBadRequest.as_view()),
    path("api/forbidden/", Forbidden.as_view()),
    path("api/django-forbidden/", DjangoForbidden.as_view()),
    path("api/missing/", Missing.as_view()),
    path("api/get-only/", GetOnly.as_view()),
    path("api/echo/", Echo.as_view()),
    path("api/read-body/", ReadBody.as_view()),
    path("api/suspicious/", Suspicious.as_view()),
    path("api/throttled/", Throttled.as_view()),
    path("api/careless/", Careless.as_view()),
    path("api/library-throttled/", LibraryThrottled.as_view()),
    path("plain/boom/", plain_boom),
    path("plain/forbidden/", plain_forbidden),
    path("plain/missing/", plain_missing),
    path("plain/suspicious/", plain_suspicious),
    path("plain/bad-request/", plain_bad_request),
    path("plain/form/", plain_form),
    path("plain/body/", plain_body),
    path("plain/csrf/", plain_csrf),
]
