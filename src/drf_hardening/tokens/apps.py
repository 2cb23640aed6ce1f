from __future__ import annotations

from importlib.util import find_spec

from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "drf_hardening.tokens"
    label = "drf_hardening_tokens"
    verbose_name = "drf-hardening tokens"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # drf-spectacular finds its extensions by their import; it is optional.
        if find_spec("drf_spectacular") is not None:
            from drf_hardening.tokens import openapi  # noqa: F401
