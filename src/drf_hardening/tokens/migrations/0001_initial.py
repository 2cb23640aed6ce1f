import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import drf_hardening.tokens.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthToken",
            fields=[
                (
                    "public_id",
                    models.CharField(
                        editable=False,
                        max_length=32,
                        primary_key=True,
                        serialize=False,
                        verbose_name="public id",
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, verbose_name="digest")),
                ("name", models.CharField(blank=True, max_length=100, verbose_name="name")),
                (
                    "created",
                    models.DateTimeField(
                        default=drf_hardening.tokens.models._now,
                        editable=False,
                        verbose_name="created",
                    ),
                ),
                ("expires", models.DateTimeField(blank=True, null=True, verbose_name="expires")),
                (
                    "last_used",
                    models.DateTimeField(
                        blank=True, editable=False, null=True, verbose_name="last used"
                    ),
                ),
                ("revoked", models.DateTimeField(blank=True, null=True, verbose_name="revoked")),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="auth_tokens",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "verbose_name_plural": "API tokens",
                "ordering": ("-created", "-pk"),
            },
        ),
    ]
