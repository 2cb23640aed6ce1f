"""manage.py import_drf_tokens: DRF's plain-text keys hashed in, nobody logged out."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from drf_hardening.tokens.models import AuthToken
from tests.tokens.conftest import PASSWORD, Clock, refusal

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_drf_tokens", *args, stdout=out)
    return out.getvalue()


def drf_login(client: Client) -> str:
    response = client.post("/drf-login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    key: str = response.json()["token"]
    return key


def test_a_drf_token_keeps_working_and_the_plain_table_empties(
    client: Client, alice: User, bob: User, me: Any
) -> None:
    key = drf_login(client)  # issued by DRF's own authtoken view, before the import
    bob_key = Token.objects.create(user=bob).key
    assert run() == "2 token(s) imported, 0 already imported; 2 plain-text row(s) deleted.\n"
    assert not Token.objects.exists()
    assert me(key).status_code == 200
    assert me(bob_key, "Bearer").json() == {"username": "bob"}
    row = AuthToken.objects.get(user=alice)
    assert row.legacy
    assert key not in str(AuthToken.objects.values().get(user=alice))


def test_an_imported_key_costs_one_query(
    me: Any, alice: User, django_assert_num_queries: Any
) -> None:
    key = Token.objects.create(user=alice).key
    run()
    me(key)  # records last_used
    with django_assert_num_queries(1):
        assert me(key).status_code == 200


def test_keep_leaves_the_plain_rows(alice: User, me: Any) -> None:
    key = Token.objects.create(user=alice).key
    assert "1 token(s) imported" in run("--keep")
    assert Token.objects.filter(key=key).exists()
    assert me(key).status_code == 200


def test_idempotent(alice: User, bob: User) -> None:
    Token.objects.create(user=alice)
    run("--keep")
    Token.objects.create(user=bob)
    assert run("--keep").startswith("1 token(s) imported, 1 already imported")
    assert run() == "0 token(s) imported, 2 already imported; 2 plain-text row(s) deleted.\n"
    assert run() == "0 token(s) imported, 0 already imported; 0 plain-text row(s) deleted.\n"
    assert AuthToken.objects.count() == 2


def test_imported_keys_expire_after_the_legacy_ttl(
    alice: User, me: Any, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_LEGACY_TTL": timedelta(days=90)}
    key = Token.objects.create(user=alice).key
    run()
    assert AuthToken.objects.get().expires == frozen.time + timedelta(days=90)
    frozen.advance(days=89, hours=23)
    assert me(key).status_code == 200
    frozen.advance(hours=1)
    assert refusal(me(key)) == refusal(me("0" * 40))  # the same 401 as an unknown key


def test_legacy_ttl_none_keeps_them_until_revoked(
    alice: User, client: Client, me: Any, frozen: Clock, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_LEGACY_TTL": None}
    key = Token.objects.create(user=alice).key
    run()
    frozen.advance(days=3650)
    assert me(key).status_code == 200
    assert client.post("/auth/logout/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 204
    assert me(key).status_code == 401


def test_a_key_drf_did_not_generate_stops_the_import(alice: User, bob: User) -> None:
    Token.objects.create(user=alice)
    Token.objects.create(user=bob, key="not-hex-" + "x" * 32)
    with pytest.raises(CommandError, match=rf"1 key\(s\).*\[{bob.pk}\].*nothing was imported"):
        run()
    assert Token.objects.count() == 2
    assert not AuthToken.objects.exists()


def test_without_drf_authtoken_installed_it_says_so(settings: Any) -> None:
    settings.INSTALLED_APPS = [
        a for a in settings.INSTALLED_APPS if a != "rest_framework.authtoken"
    ]
    with pytest.raises(CommandError, match=r"rest_framework\.authtoken is not in INSTALLED_APPS"):
        run()


def test_ten_thousand_tokens_in_few_queries(db: None) -> None:
    users = User.objects.bulk_create(User(username=f"user{i}") for i in range(10_000))
    Token.objects.bulk_create(Token(key=Token.generate_key(), user=user) for user in users)
    with CaptureQueriesContext(connection) as queries:
        assert run().startswith("10000 token(s) imported")
    import collections

    print(collections.Counter(q["sql"].split()[0] for q in queries.captured_queries))
    print([q["sql"][:150] for q in queries.captured_queries[40:46]])
    # In batches (SQLite's bound-parameter limit makes Django's INSERTs ~111 rows each):
    # the queries grow with the batches, not one or more per token.
    assert len(queries) < 200
    assert AuthToken.objects.count() == 10_000
    assert not Token.objects.exists()


def test_secure_delete_is_sqlites_only(
    alice: User, monkeypatch: pytest.MonkeyPatch, django_assert_num_queries: Any
) -> None:
    # Another database (PostgreSQL: VACUUM, in docs/tokens.md) gets no PRAGMA.
    Token.objects.create(user=alice)
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with CaptureQueriesContext(connection) as queries:
        run()
    assert not [q for q in queries.captured_queries if "PRAGMA" in q["sql"]]
    assert not Token.objects.exists()
