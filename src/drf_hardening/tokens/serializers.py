"""What the token views read and answer. No serializer here ever holds a secret but the
login answer, which is the one time the token is shown."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from drf_hardening.fields import StrictCharField
from drf_hardening.throttling.guard import INVALID_CREDENTIALS
from drf_hardening.tokens.models import AuthToken
from drf_hardening.tokens.service import NAME_LENGTH

#: The code of the one error for an unknown user, a wrong password or an inactive user
#: (DRF's, which the failed-auth guard recognises: ``guard.is_wrong_guess``).


class LoginSerializer(serializers.Serializer[Any]):
    """``username``, ``password`` and an optional token ``name``; DRF's messages and codes."""

    #: What ``validate()`` raises, for drf_hardening.openapi's 400 schema.
    schema_error_codes = {"non_field_errors": [INVALID_CREDENTIALS]}

    username = serializers.CharField(label=_("Username"), write_only=True)
    password = serializers.CharField(
        label=_("Password"),
        style={"input_type": "password"},
        trim_whitespace=False,
        write_only=True,
    )
    name = StrictCharField(
        label=_("Token name"),
        max_length=NAME_LENGTH,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("What the token is for; the client's User-Agent when omitted."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # As rest_framework.authtoken's serializer: ModelBackend returns None for an
        # unknown user, a wrong password and an inactive user alike (after hashing
        # the password in each case, so the timing does not tell them apart either).
        user = authenticate(
            request=self.context.get("request"),
            username=attrs["username"],
            password=attrs["password"],
        )
        if not user:
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), code=INVALID_CREDENTIALS
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.ModelSerializer[AuthToken]):
    """A token as its owner sees it in the list: never its secret."""

    id = serializers.CharField(source="public_id", read_only=True)

    class Meta:
        model = AuthToken
        fields: tuple[str, ...] = ("id", "name", "created", "last_used", "expires")
        read_only_fields: tuple[str, ...] = fields


class IssuedTokenSerializer(TokenSerializer):
    """The login answer: the token itself (shown this once), its id, name and expiry."""

    token = serializers.SerializerMethodField()

    class Meta(TokenSerializer.Meta):
        fields = ("token", "id", "name", "expires")
        read_only_fields = fields

    def get_token(self, obj: AuthToken) -> str:
        token: str = self.context["token"]
        return token
