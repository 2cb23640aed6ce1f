from __future__ import annotations

from django.apps import AppConfig


class DrfHardeningConfig(AppConfig):
    name = "drf_hardening"
    verbose_name = "drf-hardening"
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        # Registered here rather than at import so that importing a submodule
        # (for example drf_hardening.fields in a serializer) has no side effect.
        from drf_hardening.checks import register_checks

        register_checks()
