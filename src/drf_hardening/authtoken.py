"""DRF's token login view, throttled and counted by the failed-authentication guard.

``rest_framework.authtoken.views.ObtainAuthToken`` sets ``throttle_classes =
()``: passwords can be tried as fast as the server answers. This one uses
``LoginRateThrottle`` (per client IP and per submitted username) and reports
wrong credentials to ``FailedAuthGuardMiddleware``. Unknown user, wrong
password and inactive user get the same status and body (DRF's serializer
already words them alike; Django's ``ModelBackend`` hashes a password for
unknown users too, so their timing matches).

Use it in place of DRF's::

    from drf_hardening.authtoken import obtain_auth_token
    urlpatterns = [path("api/token/", obtain_auth_token)]

The tokens are still DRF's: stored in plain text, one per user, never expiring.
For hashed, expiring, revocable tokens use ``drf_hardening.tokens`` (its
``LoginView`` replaces this view, and ``manage.py import_drf_tokens`` moves the
existing tokens over without logging anybody out); see docs/tokens.md.
"""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken import views
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response

from drf_hardening.logging.events import log_event
from drf_hardening.parsers import project_parsers
from drf_hardening.throttling import LoginRateThrottle
from drf_hardening.throttling.guard import is_wrong_guess, record_auth_failure


class ObtainAuthToken(views.ObtainAuthToken):
    """POST ``username`` and ``password``, get ``{"token": ...}``; throttled."""

    throttle_classes = (LoginRateThrottle,)
    #: The request field ``LoginRateThrottle`` reads (DRF's serializer's field).
    username_field = "username"

    def get_parsers(self) -> list[BaseParser]:
        return project_parsers()

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return super().post(request, *args, **kwargs)
        except ValidationError as exc:
            if is_wrong_guess(exc):  # not a malformed form
                record_auth_failure(request)
                log_event("login_failed", request, status=400)
            raise


obtain_auth_token = ObtainAuthToken.as_view()
