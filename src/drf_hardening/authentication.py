"""HTTP Basic authentication that cannot be used to guess passwords or to burn CPU.

A drop-in for ``rest_framework.authentication.BasicAuthentication`` (same
header parsing, ``WWW-Authenticate`` realm, messages and return value). A Basic
request carries the password every time, so every one is a login attempt and
costs a password hash (about 200 ms with Django's PBKDF2 default). DRF's class
hashes whatever arrives: DRF's throttles run after authentication, and the
failed-auth guard counts only failures, so neither stops a client that knows a
password from keeping the workers busy, nor many clients guessing one account.

This class, before it hashes anything:

1. refuses a username or password holding a control character (NUL included:
   PostgreSQL raises on a NUL in a query, a 500) with the 401 of a wrong
   password, counted by the failed-auth guard;
2. counts the attempt on ``LoginRateThrottle``'s two buckets, per client and per
   username (the very buckets of the login view, so the two cannot be used to
   double the attempts), and answers 429 with ``Retry-After`` once either is
   spent;

then checks the password as DRF does, and reports a wrong one to the guard
(``record_auth_failure``). docs/authentication.md explains the numbers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NoReturn

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from drf_hardening.throttling import LoginRateThrottle

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from rest_framework.request import Request

#: C0 controls (NUL, CR, LF, ESC...), DEL and C1 controls: never part of a real credential.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class BasicLoginRateThrottle(LoginRateThrottle):
    """``LoginRateThrottle`` keyed on the username of a Basic header, not a form field.

    Same scope (``"login"``), rate and keys as the login view's throttle: one
    username has one bucket, however it is sent.
    """

    def __init__(self, username: str) -> None:
        super().__init__()
        self.username = username

    def get_username(self, request: Any, view: Any) -> str | None:
        return self.username if self.username.strip() else None


class BasicAuthentication(authentication.BasicAuthentication):
    """DRF's ``BasicAuthentication``, throttled before the password is hashed.

    Extension points: ``throttle_class`` (a ``LoginRateThrottle`` subclass
    taking the username), ``is_acceptable`` (which credentials may be checked
    at all) and ``throttle`` (the step that may raise ``Throttled``).
    """

    throttle_class: type[BasicLoginRateThrottle] = BasicLoginRateThrottle

    def authenticate_credentials(
        self, userid: str, password: str, request: Request | None = None
    ) -> tuple[AbstractBaseUser, None]:
        if not self.is_acceptable(userid, password):
            self.fail(request)
        if request is not None:
            self.throttle(userid, request)
        try:
            result: tuple[AbstractBaseUser, None] = super().authenticate_credentials(
                userid, password, request
            )
        except exceptions.AuthenticationFailed:
            if request is not None:
                _record_auth_failure(request)
            raise
        return result

    def is_acceptable(self, userid: str, password: str) -> bool:
        """Whether the credentials may reach the password check (no control characters)."""
        return not (CONTROL_CHARACTERS.search(userid) or CONTROL_CHARACTERS.search(password))

    def throttle(self, userid: str, request: Request) -> None:
        """Count this attempt per client and per username; raise ``Throttled`` when spent."""
        throttle = self.throttle_class(userid)
        # The view's headers become the response's: the 429 (and a 200) carry RateLimit.
        view: Any = (getattr(request, "parser_context", None) or {}).get("view")
        if not throttle.allow_request(request, view):
            raise exceptions.Throttled(throttle.wait())

    def fail(self, request: Request | None) -> NoReturn:
        """Refuse as a wrong password does: the same 401, counted by the failed-auth guard."""
        if request is not None:
            _record_auth_failure(request)
        raise exceptions.AuthenticationFailed(_("Invalid username/password."))


def _record_auth_failure(request: Request) -> None:
    # Imported when used: rest_framework.views imports DEFAULT_AUTHENTICATION_CLASSES
    # (this module) while it is itself imported, and the guard imports the error
    # pipeline, which imports rest_framework.views: a circular import at start-up.
    from drf_hardening.throttling.guard import record_auth_failure

    record_auth_failure(request)
