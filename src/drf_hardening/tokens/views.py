"""Log in (issue a token), log out, log out everywhere, list and revoke one's tokens.

``drf_hardening.tokens.urls`` routes them; or route them yourself. Every view but
``LoginView`` needs an authenticated user; a user only ever sees and revokes
their own tokens (another user's id is a 404, as an id that does not exist).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from drf_hardening.logging.events import log_event
from drf_hardening.parsers import project_parsers
from drf_hardening.throttling import LoginRateThrottle
from drf_hardening.throttling.guard import is_wrong_guess, record_auth_failure
from drf_hardening.tokens.authentication import TokenAuthentication
from drf_hardening.tokens.models import AuthToken
from drf_hardening.tokens.serializers import (
    IssuedTokenSerializer,
    LoginSerializer,
    TokenSerializer,
)
from drf_hardening.tokens.service import NAME_LENGTH, issue_token


class ProjectAuthenticationMixin:
    """Authenticate with ``DEFAULT_AUTHENTICATION_CLASSES`` as it is now.

    ``APIView.authentication_classes`` is bound when DRF is imported, so a
    project's later change (``override_settings`` in its tests) would not be
    seen; a subclass that sets its own classes keeps them.
    """

    authentication_classes: Any

    def get_authenticators(self) -> list[BaseAuthentication]:
        classes = self.authentication_classes
        if classes is APIView.authentication_classes:
            classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES
        return [authentication() for authentication in classes]


def own_tokens(view: APIView) -> QuerySet[AuthToken]:
    """The live tokens of the view's user: nobody else's, so another id is a 404."""
    # No user: schema generation (drf-spectacular's fake view), or a view without
    # IsAuthenticated; either way, no token is anyone's to see.
    fake = getattr(view, "swagger_fake_view", False)
    user_id = None if fake else view.request.user.pk
    if user_id is None:
        none: QuerySet[AuthToken] = AuthToken.objects.none()
        return none
    tokens: QuerySet[AuthToken] = AuthToken.objects.active().filter(user_id=user_id)
    return tokens


class LoginView(generics.GenericAPIView[AuthToken]):
    """``POST {"username", "password"[, "name"]}``: a new token, shown once.

    Throttled by ``LoginRateThrottle`` (per client and per username); wrong
    credentials count for ``FailedAuthGuardMiddleware``. An unknown user, a
    wrong password and an inactive user get the same 400, as from DRF's view.
    """

    serializer_class = LoginSerializer
    authentication_classes = ()  # a token sent to the login is not checked, so never a 401
    permission_classes = ()
    throttle_classes = (LoginRateThrottle,)
    #: The request field ``LoginRateThrottle`` reads.
    username_field = "username"

    def get_parsers(self) -> list[BaseParser]:
        return project_parsers()

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError as exc:
            if is_wrong_guess(exc):
                record_auth_failure(request)
                log_event("login_failed", request, status=400)
            raise
        data = serializer.validated_data
        name = data.get("name") or self.name_from(request)
        token, secret = issue_token(data["user"], name=name)
        answer = IssuedTokenSerializer(token, context={"token": secret})
        return Response(answer.data)

    def name_from(self, request: Request) -> str:
        """The token's name when the client sent none: its User-Agent, printable part only."""
        agent = str(request.META.get("HTTP_USER_AGENT", ""))
        return "".join(ch for ch in agent if ch.isprintable())[:NAME_LENGTH].strip()


class LogoutView(APIView):
    """``POST``: revoke the token this request was made with. 204."""

    authentication_classes: tuple[type[BaseAuthentication], ...] = (TokenAuthentication,)
    permission_classes = (IsAuthenticated,)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        token = request.auth
        if not isinstance(token, AuthToken):  # a subclass that authenticates otherwise
            raise PermissionDenied(_("Log out needs the request's token (drf_hardening.tokens)."))
        token.revoke()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(ProjectAuthenticationMixin, APIView):
    """``POST``: revoke every token of the caller, this one included. 204."""

    permission_classes = (IsAuthenticated,)

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        AuthToken.objects.revoke_all(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenListView(ProjectAuthenticationMixin, generics.ListAPIView[AuthToken]):
    """``GET``: the caller's live tokens, newest first (id, name, created, last used, expires)."""

    serializer_class = TokenSerializer
    permission_classes = (IsAuthenticated,)
    filter_backends = ()  # the project's search and ordering are about its own models

    def get_queryset(self) -> QuerySet[AuthToken]:
        return own_tokens(self)


class TokenDetailView(ProjectAuthenticationMixin, generics.DestroyAPIView[AuthToken]):
    """``DELETE``: revoke one of the caller's tokens by the id the list shows. 204, else 404."""

    serializer_class = TokenSerializer
    permission_classes = (IsAuthenticated,)
    filter_backends = ()
    lookup_field = "public_id"
    lookup_url_kwarg = "token_id"

    def get_queryset(self) -> QuerySet[AuthToken]:
        return own_tokens(self)

    def perform_destroy(self, instance: AuthToken) -> None:
        instance.revoke()
