"""Hashed, prefixed, expiring, revocable API tokens: an opt-in app.

Add ``"drf_hardening.tokens"`` to ``INSTALLED_APPS`` (``harden()`` does not),
``drf_hardening.tokens.authentication.TokenAuthentication`` to
``DEFAULT_AUTHENTICATION_CLASSES`` and ``drf_hardening.tokens.urls`` to your URLs.
docs/tokens.md describes the format, the settings, the views and the migration
from ``rest_framework.authtoken`` (``manage.py import_drf_tokens``).
"""

from drf_hardening.tokens.service import issue_token

__all__ = ["issue_token"]
