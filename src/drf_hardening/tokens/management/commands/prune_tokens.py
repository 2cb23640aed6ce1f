"""``manage.py prune_tokens``: delete the tokens that stopped working long ago.

A revoked, expired or idle token stays in the table, for the record (which
device had access, when it was last used, when it was revoked). This command
deletes those that have been dead for more than ``--older-than`` days, imported
DRF keys included; live tokens are never touched, however old.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import router
from django.db.models import Q
from django.db.models.functions import Coalesce

from drf_hardening.tokens import clock, config
from drf_hardening.tokens.models import AuthToken

#: How long a dead token's row is kept by default: the record of a revocation stays
#: as long as security logs are usually kept at hand (PCI DSS: three months).
RETENTION_DAYS = 90


class Command(BaseCommand):
    help = (
        "Delete the tokens revoked, expired or idle for more than --older-than days "
        f"(default {RETENTION_DAYS}); live tokens are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=RETENTION_DAYS,
            metavar="DAYS",
            help=f"Days a token must have been dead (default {RETENTION_DAYS}; 0: all dead ones).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Print how many would go; delete nothing."
        )

    def handle(self, *args: Any, older_than: int, dry_run: bool, **options: Any) -> None:
        if older_than < 0:
            raise CommandError(f"--older-than must be 0 or more days, not {older_than}.")
        cutoff = clock.now() - timedelta(days=older_than)
        # Dead since its revocation, its expiry or (with TOKEN_IDLE_TTL) the end of its
        # idle time, whichever came first: that moment is before the cutoff.
        dead = Q(revoked__lt=cutoff) | Q(expires__lt=cutoff)
        idle = config.idle_ttl()
        if idle is not None:
            dead |= Q(seen__lt=cutoff - idle)
        tokens = AuthToken.objects.using(router.db_for_write(AuthToken))
        old = tokens.alias(seen=Coalesce("last_used", "created")).filter(dead)
        days = f"more than {older_than} day(s) ago"
        if dry_run:
            self.stdout.write(f"{old.count()} token(s) revoked or expired {days} would be deleted.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"{deleted} token(s) revoked or expired {days} deleted.")
