"""The compiled token lookup: what the ORM would build, from SQL compiled once, rows never kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import OperationalError, connection
from django.db.models import Model
from django.db.models.functions import Coalesce
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from drf_hardening.checks import auth as auth_checks
from drf_hardening.tokens import clock, issue_token, lookup
from drf_hardening.tokens.authentication import TokenAuthentication
from drf_hardening.tokens.models import AuthToken
from tests.helpers import check_ids
from tests.pg import PostgresServer, postgres_server  # noqa: F401 - a fixture
from tests.tokens.conftest import Clock

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def columns(instance: Model) -> dict[str, Any]:
    """Every column value of ``instance``, with its type."""
    fields = instance._meta.concrete_fields
    return {
        f.attname: (getattr(instance, f.attname), type(getattr(instance, f.attname)))
        for f in fields
    }


def authenticate(token: str, authenticator: TokenAuthentication | None = None) -> Any:
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {token}")
    return (authenticator or TokenAuthentication()).authenticate(Request(request))


@pytest.mark.parametrize("use_tz", [True, False])
def test_the_token_and_user_are_those_the_orm_builds(
    alice: User, frozen: Clock, settings: Any, django_assert_num_queries: Any, use_tz: bool
) -> None:
    row, token = issue_token(alice, name="laptop", expires_in=3600)
    assert authenticate(token) is not None  # compiled now, under USE_TZ=True; last_used written
    frozen.advance(seconds=1)
    settings.USE_TZ = use_tz  # the converters read it at each row, like the ORM's
    expected = AuthToken.objects.select_related("user").get(pk=row.pk)
    with django_assert_num_queries(1):
        found = lookup.get(TokenAuthentication.queryset, row.pk)
        assert found.user.username == "alice"  # the user came with the token
    assert type(found) is AuthToken
    assert type(found.user) is User
    assert columns(found) == columns(expected)
    assert columns(found.user) == columns(expected.user)
    assert (found._state.db, found._state.adding) == ("default", False)
    assert (found.user._state.db, found.user._state.adding) == ("default", False)
    assert found.last_used is not None
    assert found.expires is not None
    assert (found.last_used.tzinfo is not None) is use_tz


def test_an_unknown_id_is_none(db: None) -> None:
    assert lookup.get(TokenAuthentication.queryset, "unknown12345") is None


def test_no_row_is_kept_between_requests(alice: User, frozen: Clock) -> None:
    # What another process does: plain UPDATEs, no signal, no instance of this one.
    row, token = issue_token(alice)
    assert authenticate(token) is not None
    AuthToken.objects.filter(pk=row.pk).update(revoked=clock.now())
    with pytest.raises(AuthenticationFailed):
        authenticate(token)
    AuthToken.objects.filter(pk=row.pk).update(revoked=None, expires=clock.now())
    with pytest.raises(AuthenticationFailed):
        authenticate(token)
    AuthToken.objects.filter(pk=row.pk).update(expires=None)
    assert authenticate(token) is not None
    User.objects.filter(pk=alice.pk).update(is_active=False)
    with pytest.raises(AuthenticationFailed):
        authenticate(token)


class StaffOnly(TokenAuthentication):
    queryset = AuthToken.objects.select_related("user").filter(user__is_staff=True)


def test_a_filtered_queryset_is_compiled_with_its_filter(
    alice: User, bob: User, django_assert_num_queries: Any
) -> None:
    User.objects.filter(pk=bob.pk).update(is_staff=True)
    assert lookup.compile_lookup(StaffOnly.queryset, connection) is not None
    _, staff = issue_token(bob)
    _, other = issue_token(alice)
    with django_assert_num_queries(2):  # the first use writes last_used
        user, _auth = authenticate(staff, StaffOnly())
    assert user.username == "bob"
    with pytest.raises(AuthenticationFailed):
        authenticate(other, StaffOnly())


class Annotated(TokenAuthentication):
    queryset = AuthToken.objects.select_related("user").annotate(
        seen=Coalesce("last_used", "created")
    )


class UserNotJoined(TokenAuthentication):
    queryset = AuthToken.objects.all()


@pytest.mark.parametrize(("cls", "queries"), [(Annotated, 1), (UserNotJoined, 2)])
def test_a_queryset_that_selects_otherwise_is_run_by_django(
    alice: User, django_assert_num_queries: Any, cls: type[TokenAuthentication], queries: int
) -> None:
    row, token = issue_token(alice)
    assert authenticate(token, cls()) is not None  # the first use writes last_used
    assert lookup.compile_lookup(cls.queryset, connection) is None
    with django_assert_num_queries(queries):  # as written: the user queried apart if not joined
        user, auth = authenticate(token, cls())
    assert (user, auth) == (alice, row)
    if cls is Annotated:
        assert auth.seen == auth.last_used


SCRIPT = """
import json, sys
import django
from django.conf import settings

settings.configure(
    SECRET_KEY="lookup-test", USE_TZ=True, DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework",
                    "drf_hardening", "drf_hardening.tokens"],
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": sys.argv[2],
                           "USER": "drfh", "HOST": "127.0.0.1", "PORT": sys.argv[1]}},
)
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from drf_hardening.tokens import issue_token, lookup
from drf_hardening.tokens.authentication import TokenAuthentication
from drf_hardening.tokens.models import AuthToken

call_command("migrate", verbosity=0)
alice = User.objects.create_user("alice", email="alice@example.com")
row, token = issue_token(alice, name="laptop")

def authenticated():
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")
    try:
        return TokenAuthentication().authenticate(Request(request)) is not None
    except Exception:
        return False

def columns(instance):
    return {f.attname: repr(getattr(instance, f.attname)) for f in instance._meta.concrete_fields}

first = authenticated()  # writes last_used
with CaptureQueriesContext(connection) as captured:
    second = authenticated()
found = lookup.get(TokenAuthentication.queryset, row.pk)
expected = AuthToken.objects.select_related("user").get(pk=row.pk)
row.revoke()
print(json.dumps({
    "authenticated": [first, second, authenticated()],
    "queries": [query["sql"] for query in captured.captured_queries],
    "same": [columns(found) == columns(expected), columns(found.user) == columns(expected.user)],
    "compiled": lookup.compile_lookup(TokenAuthentication.queryset, connection) is not None,
}))
"""


@pytest.mark.processes
def test_the_lookup_on_postgresql(postgres_server: PostgresServer) -> None:  # noqa: F811
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=postgres_server.port, user="drfh", dbname="postgres", autocommit=True
    ) as admin:
        admin.execute("DROP DATABASE IF EXISTS drfh_lookup")
        admin.execute("CREATE DATABASE drfh_lookup")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(postgres_server.port), "drfh_lookup"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["authenticated"] == [True, True, False]  # refused once revoked
    assert result["compiled"] is True
    [select] = result["queries"]
    assert select.startswith("SELECT")
    assert "INNER JOIN" in select
    assert result["same"] == [True, True]


def moved_internals(queryset: Any, connection: Any) -> Any:
    """What compiling raises on a Django whose compiler no longer has what lookup.py reads."""
    raise AttributeError("'SQLCompiler' object has no attribute 'klass_info'")


def test_w085_silent_while_the_lookup_compiles(db: None) -> None:
    assert check_ids(auth_checks.check_compiled_lookup) == []


def test_w085_when_django_internals_moved(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookup, "compile_lookup", moved_internals)
    (message,) = auth_checks.check_compiled_lookup()
    assert message.id == "drf_hardening.W085"
    assert "klass_info" in message.msg
    assert "QuerySet.get()" in message.msg


def test_w085_says_nothing_while_the_database_is_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def database_down(queryset: Any, connection: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(lookup, "compile_lookup", database_down)
    assert check_ids(auth_checks.check_compiled_lookup) == []


def test_w085_silent_without_the_tokens_app(settings: Any) -> None:
    settings.INSTALLED_APPS = [
        app for app in settings.INSTALLED_APPS if app != "drf_hardening.tokens"
    ]
    assert check_ids(auth_checks.check_compiled_lookup) == []


def test_moved_internals_fall_back_to_the_orm(
    alice: User, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _row, token = issue_token(alice)
    monkeypatch.setattr(lookup, "compile_lookup", moved_internals)
    monkeypatch.setattr(lookup, "_compiled", weakref.WeakKeyDictionary())
    with caplog.at_level("WARNING", logger="drf_hardening.tokens.lookup"):
        user, _auth = authenticate(token)
        assert authenticate(token)[0] == user  # compiled once: one warning, not one per request
    assert user == alice
    assert [r.getMessage() for r in caplog.records] == [
        "Token lookup not compiled; QuerySet.get() it is."
    ]
