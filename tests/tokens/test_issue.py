"""issue_token, AuthToken, revocation and the limit per user."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User

from drf_hardening.tokens import format, issue_token
from drf_hardening.tokens.models import AuthToken
from tests.tokens.conftest import Clock

pytestmark = pytest.mark.django_db


def test_issue_token_stores_a_digest_and_never_the_token(alice: User, frozen: Clock) -> None:
    row, token = issue_token(alice, name="laptop")
    prefix, public_id, secret = token.split("_")
    assert (prefix, row.public_id, row.name) == ("drfh", public_id, "laptop")
    assert row.digest == format.digest(secret)
    stored = AuthToken.objects.values().get()
    assert all(secret not in str(value) and token not in str(value) for value in stored.values())
    assert row.created == frozen.time
    assert row.expires == frozen.time + timedelta(days=30)  # TOKEN_TTL's default
    assert (row.last_used, row.revoked, row.legacy) == (None, None, False)


@pytest.mark.parametrize(
    ("expires_in", "seconds"), [(timedelta(hours=1), 3600), (90, 90), (0.5, 0.5)]
)
def test_expires_in_overrides_the_ttl(
    alice: User, frozen: Clock, expires_in: Any, seconds: float
) -> None:
    row, _ = issue_token(alice, expires_in=expires_in)
    assert row.expires == frozen.time + timedelta(seconds=seconds)


@pytest.mark.parametrize("expires_in", [0, -1, timedelta(0), True])
def test_expires_in_must_be_positive(alice: User, expires_in: Any) -> None:
    with pytest.raises(ValueError, match="expires_in"):
        issue_token(alice, expires_in=expires_in)
    assert not AuthToken.objects.exists()


def test_ttl_setting_as_seconds_or_timedelta(alice: User, frozen: Clock, settings: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_TTL": 60}
    assert issue_token(alice)[0].expires == frozen.time + timedelta(seconds=60)
    settings.DRF_HARDENING = {"TOKEN_TTL": timedelta(hours=2)}
    assert issue_token(alice)[0].expires == frozen.time + timedelta(hours=2)


def test_prefix_setting_and_changing_it_logs_nobody_out(
    alice: User, me: Any, settings: Any
) -> None:
    _, old = issue_token(alice)
    settings.DRF_HARDENING = {"TOKEN_PREFIX": "acme"}
    _, new = issue_token(alice)
    assert new.startswith("acme_")
    assert me(old).status_code == me(new).status_code == 200


def test_name_is_cut_to_its_column(alice: User) -> None:
    row, _ = issue_token(alice, name="n" * 150)
    row.refresh_from_db()
    assert row.name == "n" * 100


def test_the_oldest_tokens_beyond_the_limit_are_revoked(
    alice: User, bob: User, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_MAX_PER_USER": 3}
    issue_token(bob)
    rows = []
    for _ in range(5):
        rows.append(issue_token(alice)[0])
        frozen.advance(seconds=1)
    live = list(AuthToken.objects.active().filter(user=alice))
    assert live == rows[:1:-1]  # the three newest, newest first
    assert AuthToken.objects.active().filter(user=bob).count() == 1


def test_no_limit_when_none(alice: User, settings: Any) -> None:
    settings.DRF_HARDENING = {"TOKEN_MAX_PER_USER": None}
    for _ in range(25):
        issue_token(alice)
    assert AuthToken.objects.active().count() == 25


def test_expired_tokens_do_not_count_against_the_limit(
    alice: User, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_MAX_PER_USER": 2}
    issue_token(alice, expires_in=10)
    issue_token(alice, expires_in=10)
    frozen.advance(seconds=11)
    issue_token(alice)
    issue_token(alice)
    assert AuthToken.objects.active().count() == 2
    assert AuthToken.objects.filter(revoked__isnull=False).count() == 0


def test_revoke_is_idempotent_and_keeps_the_first_time(alice: User, frozen: Clock) -> None:
    row, _ = issue_token(alice)
    row.revoke()
    first = row.revoked
    frozen.advance(seconds=5)
    AuthToken.objects.get().revoke()
    assert AuthToken.objects.get().revoked == first


def test_str_names_the_public_id_never_the_secret(alice: User) -> None:
    row, token = issue_token(alice, name="ci")
    assert str(row) == f"{row.public_id} (ci)"
    assert token.split("_")[2] not in str(row)


def test_package_imports_before_the_app_registry_is_ready() -> None:
    code = "import drf_hardening.tokens as t; print(t.issue_token.__name__)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "issue_token"


def test_a_row_made_by_hand_is_created_by_the_clock(alice: User, frozen: Clock) -> None:
    new = format.generate("drfh")
    row = AuthToken.objects.create(user=alice, public_id=new.public_id, digest=new.digest)
    assert row.created == frozen.time
    assert not row.legacy
