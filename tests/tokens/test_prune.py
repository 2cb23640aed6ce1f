"""manage.py prune_tokens: tokens dead for longer than the retention go, live ones stay."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from drf_hardening.tokens import issue_token
from drf_hardening.tokens.management.commands.prune_tokens import RETENTION_DAYS
from drf_hardening.tokens.models import AuthToken
from tests.tokens.conftest import Clock

pytestmark = pytest.mark.django_db
DAY = 86400


def prune(*args: str) -> str:
    out = StringIO()
    call_command("prune_tokens", *args, stdout=out)
    return out.getvalue().strip()


def names() -> set[str]:
    return set(AuthToken.objects.values_list("name", flat=True))


def test_tokens_dead_beyond_the_retention_go_and_the_rest_stay(alice: User, frozen: Clock) -> None:
    assert RETENTION_DAYS == 90  # docs/tokens.md documents it
    issue_token(alice, name="live, never expires", expires_in=3650 * DAY)
    issue_token(alice, name="expired long ago", expires_in=DAY)
    issue_token(alice, name="expires later", expires_in=100 * DAY)
    issue_token(alice, name="revoked long ago")[0].revoke()
    frozen.advance(days=50)
    issue_token(alice, name="revoked lately")[0].revoke()
    frozen.advance(days=45)  # "expired long ago": 94 days ago; "expires later": in 5 days
    assert prune() == "2 token(s) revoked or expired more than 90 day(s) ago deleted."
    assert names() == {"live, never expires", "expires later", "revoked lately"}


def test_dry_run_counts_and_deletes_nothing(alice: User, frozen: Clock) -> None:
    issue_token(alice, expires_in=DAY)
    issue_token(alice)[0].revoke()
    frozen.advance(days=3)
    assert prune("--dry-run", "--older-than", "1") == (
        "2 token(s) revoked or expired more than 1 day(s) ago would be deleted."
    )
    assert AuthToken.objects.count() == 2


def test_older_than_zero_deletes_every_dead_token_in_one_statement(
    alice: User, frozen: Clock, django_assert_num_queries: Any
) -> None:
    issue_token(alice, name="revoked")[0].revoke()
    issue_token(alice, name="expired", expires_in=1)
    issue_token(alice, name="live")
    frozen.advance(seconds=2)
    with django_assert_num_queries(1) as captured:  # no row loaded first, however many
        assert prune("--older-than", "0").startswith("2 token(s)")
    assert captured.captured_queries[0]["sql"].startswith("DELETE")
    assert names() == {"live"}


def test_idle_tokens_count_from_the_end_of_their_idle_time(
    alice: User, frozen: Clock, settings: Any
) -> None:
    issue_token(alice, name="unused", expires_in=3650 * DAY)
    frozen.advance(days=95)
    assert prune() == "0 token(s) revoked or expired more than 90 day(s) ago deleted."
    settings.DRF_HARDENING = {"TOKEN_IDLE_TTL": 10 * DAY}
    assert prune().startswith("0 token(s)")  # idle since day 10: dead for 85 days
    frozen.advance(days=6)
    assert prune().startswith("1 token(s)")
    assert not AuthToken.objects.exists()


def test_imported_drf_keys_go_once_expired_beyond_the_retention(
    alice: User, bob: User, frozen: Clock, settings: Any
) -> None:
    Token.objects.create(user=alice)
    settings.DRF_HARDENING = {"TOKEN_LEGACY_TTL": 10 * DAY}
    call_command("import_drf_tokens", stdout=StringIO())
    settings.DRF_HARDENING = {"TOKEN_LEGACY_TTL": None}
    Token.objects.create(user=bob)
    call_command("import_drf_tokens", stdout=StringIO())  # bob's: until revoked
    frozen.advance(days=101)
    assert prune().startswith("1 token(s)")
    [kept] = AuthToken.objects.all()
    assert kept.legacy
    assert kept.user == bob


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "--older-than must be 0 or more days, not -1."), ("ten", "invalid int value")],
)
def test_a_bad_retention_is_refused(value: str, message: str, db: None) -> None:
    with pytest.raises(CommandError, match=message):
        prune("--older-than", value)
