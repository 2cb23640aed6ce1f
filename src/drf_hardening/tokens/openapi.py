"""drf-spectacular extensions: the token scheme and the token views' schemas.

Imported by ``TokensConfig.ready()`` when drf-spectacular is installed. The
scheme is HTTP ``bearer``, which the class accepts, so Swagger UI's Authorize
button takes the bare token and sends ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema

from drf_hardening.tokens.serializers import IssuedTokenSerializer

SCHEME_NAME = "drfHardeningToken"


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_hardening.tokens.authentication.TokenAuthentication"
    name = SCHEME_NAME
    match_subclasses = True

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "drf-hardening token",
            "description": "`Authorization: Bearer <token>` (or `Token <token>`), the token "
            "from the login view.",
        }


def _replace(target: Any, **schema: Any) -> Any:
    @extend_schema(**schema)
    class View(target):  # type: ignore[misc]
        pass

    View.__name__ = target.__name__
    View.__qualname__ = target.__qualname__
    return View


class LoginViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_hardening.tokens.views.LoginView"
    match_subclasses = True

    def view_replacement(self) -> Any:
        return _replace(
            self.target,
            summary="Log in: get a new token",
            responses={200: IssuedTokenSerializer},
        )


class LogoutViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_hardening.tokens.views.LogoutView"
    match_subclasses = True

    def view_replacement(self) -> Any:
        return _replace(
            self.target,
            summary="Log out: revoke this token",
            request=None,
            responses={204: OpenApiResponse(description="Token revoked.")},
        )


class LogoutAllViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_hardening.tokens.views.LogoutAllView"
    match_subclasses = True

    def view_replacement(self) -> Any:
        return _replace(
            self.target,
            summary="Log out everywhere: revoke all my tokens",
            request=None,
            responses={204: OpenApiResponse(description="Every token of the user revoked.")},
        )


class TokenDetailViewSchema(OpenApiViewExtension):  # type: ignore[no-untyped-call]
    target_class = "drf_hardening.tokens.views.TokenDetailView"
    match_subclasses = True

    def view_replacement(self) -> Any:
        return _replace(
            self.target,
            summary="Revoke one of my tokens",
            responses={204: OpenApiResponse(description="Token revoked.")},
        )
