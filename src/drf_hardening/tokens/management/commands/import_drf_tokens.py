"""``manage.py import_drf_tokens``: hash DRF's plain-text tokens into ``AuthToken``.

Every ``rest_framework.authtoken`` key becomes an ``AuthToken`` that the key
itself still opens (found by its digest) until ``TOKEN_LEGACY_TTL`` after the
import, so no client is logged out; then the plain-text rows are deleted
(``--keep`` keeps them). One transaction: all or nothing. Running it again
imports only what is new.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, router, transaction

from drf_hardening.tokens import clock, config, format
from drf_hardening.tokens.models import AuthToken

BATCH = 500
LEGACY_NAME = "Imported from rest_framework.authtoken"


class Command(BaseCommand):
    help = "Hash every rest_framework.authtoken Token into drf_hardening.tokens (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the plain-text rows (default: delete them once imported).",
        )

    def handle(self, *args: Any, keep: bool, **options: Any) -> None:
        if not apps.is_installed("rest_framework.authtoken"):
            raise CommandError(
                "rest_framework.authtoken is not in INSTALLED_APPS: there is nothing to import "
                "(keep it installed until this command has run)."
            )
        from rest_framework.authtoken.models import Token

        alias = router.db_for_write(AuthToken)
        with transaction.atomic(using=alias):
            rows = list(Token.objects.using(alias).values_list("key", "user_id"))
            malformed = sorted(user for key, user in rows if not format.LEGACY_KEY.fullmatch(key))
            if malformed:
                raise CommandError(
                    f"{len(malformed)} key(s) are not DRF generated keys (40 lowercase hex "
                    f"digits), for user id(s) {malformed[:20]}: replace them first; nothing "
                    "was imported."
                )
            imported = self.import_keys(alias, rows)
            deleted = 0 if keep else self.delete_keys(alias, Token, [key for key, _ in rows])
        self.stdout.write(
            f"{imported} token(s) imported, {len(rows) - imported} already imported; "
            f"{deleted} plain-text row(s) deleted."
        )

    def import_keys(self, alias: str, rows: list[tuple[str, Any]]) -> int:
        now = clock.now()
        lifetime = config.legacy_ttl()
        expires = None if lifetime is None else now + lifetime
        new = {format.legacy(key): user for key, user in rows}
        existing: set[str] = set()
        ids = [presented.lookup_id for presented in new]
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            found = AuthToken.objects.using(alias).filter(public_id__in=chunk)
            existing.update(found.values_list("public_id", flat=True))
        tokens = [
            AuthToken(
                user_id=user,
                public_id=presented.lookup_id,
                digest=presented.digest,
                name=LEGACY_NAME,
                created=now,
                expires=expires,
            )
            for presented, user in new.items()
            if presented.lookup_id not in existing
        ]
        AuthToken.objects.using(alias).bulk_create(tokens, batch_size=BATCH)
        return len(tokens)

    def delete_keys(self, alias: str, token_model: Any, keys: list[str]) -> int:
        connection = connections[alias]
        if connection.vendor == "sqlite":
            # Overwrite the deleted keys in the file instead of leaving them on free pages
            # (PostgreSQL keeps deleted rows until VACUUM: docs/tokens.md says so).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA secure_delete = ON")
        deleted = 0
        for start in range(0, len(keys), BATCH):
            chunk = keys[start : start + BATCH]
            deleted += token_model.objects.using(alias).filter(key__in=chunk).delete()[0]
        return deleted
