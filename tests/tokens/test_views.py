"""The token views: login, logout, logout everywhere, list, revoke one."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from drf_hardening.tokens import issue_token
from drf_hardening.tokens.models import AuthToken
from tests.tokens.conftest import PASSWORD, Clock, bearer

pytestmark = pytest.mark.django_db
GUARD = "drf_hardening.middleware.FailedAuthGuardMiddleware"


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    body = {"username": username, "password": password, **extra.pop("body", {})}
    extra.setdefault("REMOTE_ADDR", "198.51.100.7")
    return client.post("/auth/login/", body, content_type="application/json", **extra)


# --- LoginView -------------------------------------------------------------------------


def test_login_issues_a_new_token_each_time(client: Client, alice: User, me: Any) -> None:
    first = login(client, "alice", PASSWORD, HTTP_USER_AGENT="curl/8.5.0")
    second = login(client, "alice", PASSWORD)
    assert first.status_code == second.status_code == 200
    body = first.json()
    assert set(body) == {"token", "id", "name", "expires"}
    assert body["token"] != second.json()["token"]
    assert body["token"].startswith(f"drfh_{body['id']}_")
    assert body["name"] == "curl/8.5.0"
    assert body["expires"] is not None
    assert me(body["token"]).status_code == 200
    assert me(second.json()["token"], "Bearer").status_code == 200
    assert AuthToken.objects.filter(user=alice).count() == 2


def test_login_name_from_the_body_or_a_printable_user_agent(client: Client, alice: User) -> None:
    named = login(client, "alice", PASSWORD, body={"name": "  CI runner  "})
    assert named.json()["name"] == "CI runner"
    agent = "Evil\u202e\x00agent " + "x" * 200
    unnamed = login(client, "alice", PASSWORD, HTTP_USER_AGENT=agent)
    assert unnamed.json()["name"] == ("Evilagent " + "x" * 200)[:100]


def test_login_with_ttl_none_answers_a_null_expiry(
    client: Client, alice: User, settings: Any
) -> None:
    settings.DRF_HARDENING = {"TOKEN_TTL": None}
    assert login(client, "alice", PASSWORD).json()["expires"] is None


def test_login_answers_are_identical_for_unknown_wrong_and_inactive(
    client: Client, alice: User
) -> None:
    User.objects.create_user("idle", password=PASSWORD, is_active=False)
    answers = [
        login(client, "nobody", PASSWORD, REMOTE_ADDR="192.0.2.1"),
        login(client, "alice", "wrong-password", REMOTE_ADDR="192.0.2.2"),
        login(client, "idle", PASSWORD, REMOTE_ADDR="192.0.2.3"),
    ]
    assert {r.status_code for r in answers} == {400}
    bodies = [r.json() for r in answers]
    for body in bodies:
        body["error"].pop("request_id")
    assert bodies[0] == bodies[1] == bodies[2]
    assert len({tuple(sorted(r.headers)) for r in answers}) == 1
    assert not AuthToken.objects.exists()


def test_login_is_throttled_per_client_and_per_username(client: Client, alice: User) -> None:
    assert [login(client, f"user{i}", "x").status_code for i in range(6)] == [400] * 5 + [429]
    per_user = [
        login(client, "alice", "x", REMOTE_ADDR=f"192.0.2.{i}").status_code for i in range(6)
    ]
    assert per_user == [400] * 5 + [429]
    assert login(client, "alice", PASSWORD, REMOTE_ADDR="192.0.2.99").status_code == 429


def test_wrong_passwords_feed_the_guard_but_a_bad_form_does_not(
    client: Client, alice: User, settings: Any
) -> None:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, GUARD]
    settings.DRF_HARDENING = {"FAILED_AUTH_RATE": "2/min", "LOGIN_RATE": "100/min"}
    for _ in range(3):  # a missing password or a bad name is not a guess
        assert (
            client.post("/auth/login/", {"username": "alice"}, "application/json").status_code
            == 400
        )
        bad_name = login(client, "alice", PASSWORD, body={"name": "a\u202eb"})
        assert bad_name.status_code == 400
    assert [login(client, "alice", "x").status_code for _ in range(3)] == [400, 400, 429]


def test_a_wrong_password_is_a_login_failed_event(
    client: Client, alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="drf_hardening.security"):
        login(client, "alice", "wrong-s3cret")
    events = [r for r in caplog.records if r.name == "drf_hardening.security"]
    assert [r.event for r in events] == ["login_failed"]  # type: ignore[attr-defined]
    assert "s3cret" not in caplog.text


def test_login_takes_the_projects_parsers_only(client: Client, alice: User, settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PARSER_CLASSES": ["drf_hardening.parsers.JSONParser"],
    }
    form = client.post("/auth/login/", {"username": "alice", "password": PASSWORD})
    assert form.status_code == 415
    assert login(client, "alice", PASSWORD).status_code == 200


def test_login_ignores_a_bad_token_sent_along(client: Client, alice: User) -> None:
    response = login(client, "alice", PASSWORD, **bearer("garbage"))
    assert response.status_code == 200


def test_login_beyond_the_limit_revokes_the_oldest(
    client: Client, alice: User, me: Any, settings: Any, frozen: Clock
) -> None:
    settings.DRF_HARDENING = {"TOKEN_MAX_PER_USER": 2, "LOGIN_RATE": "100/min"}
    tokens = []
    for _ in range(3):
        tokens.append(login(client, "alice", PASSWORD).json()["token"])
        frozen.advance(seconds=1)
    assert [me(t).status_code for t in tokens] == [401, 200, 200]


# --- LogoutView, LogoutAllView -------------------------------------------------------


def test_logout_revokes_only_the_token_used(client: Client, alice: User, me: Any) -> None:
    _, used = issue_token(alice)
    _, other = issue_token(alice)
    assert client.post("/auth/logout/", **bearer(used)).status_code == 204
    assert me(used).status_code == 401
    assert me(other).status_code == 200
    assert client.post("/auth/logout/", **bearer(used)).status_code == 401


def test_logout_without_a_token_is_401(client: Client) -> None:
    response = client.post("/auth/logout/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_logout_all_revokes_every_token_of_the_user_and_no_other(
    client: Client, alice: User, bob: User, me: Any
) -> None:
    alices = [issue_token(alice)[1] for _ in range(3)]
    _, bobs = issue_token(bob)
    assert client.post("/auth/logout-all/", **bearer(alices[0], "Bearer")).status_code == 204
    assert [me(t).status_code for t in alices] == [401] * 3
    assert me(bobs).status_code == 200
    assert AuthToken.objects.filter(user=alice, revoked__isnull=True).count() == 0
    assert AuthToken.objects.filter(user=bob, revoked__isnull=True).count() == 1


def test_revoke_all_counts_what_it_revoked(alice: User, bob: User) -> None:
    issue_token(alice)
    issue_token(alice)[0].revoke()
    issue_token(bob)
    assert AuthToken.objects.revoke_all(alice) == 1
    assert AuthToken.objects.revoke_all(alice) == 0


# --- TokenListView, TokenDetailView ----------------------------------------------------


def test_list_shows_my_live_tokens_and_no_secret(
    client: Client, alice: User, bob: User, frozen: Clock
) -> None:
    laptop, token = issue_token(alice, name="laptop")
    frozen.advance(seconds=1)
    phone, _ = issue_token(alice, name="phone")
    issue_token(alice, name="gone")[0].revoke()
    issue_token(alice, name="old", expires_in=1)
    issue_token(bob, name="bob's")
    frozen.advance(seconds=2)
    response = client.get("/auth/tokens/", **bearer(token))
    assert response.status_code == 200
    rows = response.json()
    assert [row["name"] for row in rows] == ["phone", "laptop"]
    assert rows[1]["id"] == laptop.public_id
    assert set(rows[0]) == {"id", "name", "created", "last_used", "expires"}
    assert rows[1]["last_used"] is not None  # this request
    text = response.content.decode()
    assert token.split("_")[2] not in text
    assert laptop.digest not in text
    assert phone.digest not in text


def test_delete_revokes_one_of_my_tokens(client: Client, alice: User, me: Any) -> None:
    _, mine = issue_token(alice)
    spare, spare_token = issue_token(alice)
    assert client.delete(f"/auth/tokens/{spare.public_id}/", **bearer(mine)).status_code == 204
    assert me(spare_token).status_code == 401
    assert me(mine).status_code == 200
    again = client.delete(f"/auth/tokens/{spare.public_id}/", **bearer(mine))
    assert again.status_code == 404


def test_another_users_token_is_a_404_and_stays(
    client: Client, alice: User, bob: User, me: Any
) -> None:
    _, mine = issue_token(alice)
    bobs_row, bobs = issue_token(bob)
    theirs = client.delete(f"/auth/tokens/{bobs_row.public_id}/", **bearer(mine))
    missing = client.delete("/auth/tokens/AAAAAAAAAAAA/", **bearer(mine))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["error"]["message"] == missing.json()["error"]["message"]
    assert me(bobs).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("post", "/auth/logout-all/"), ("get", "/auth/tokens/"), ("delete", "/auth/tokens/x/")],
)
def test_token_views_need_a_token(client: Client, method: str, path: str) -> None:
    assert getattr(client, method)(path).status_code == 401


def test_a_logout_authenticated_otherwise_is_refused(alice: User, rf: Any) -> None:
    # A subclass that authenticates without a token has no token to revoke: say so.
    import base64

    from rest_framework.authentication import BasicAuthentication

    from drf_hardening.tokens.views import LogoutView

    class BasicLogout(LogoutView):
        authentication_classes = (BasicAuthentication,)

    issue_token(alice)
    credentials = base64.b64encode(f"alice:{PASSWORD}".encode()).decode()
    request = rf.post("/", HTTP_AUTHORIZATION=f"Basic {credentials}")
    response = BasicLogout.as_view()(request)
    assert response.status_code == 403
    assert AuthToken.objects.active().count() == 1


def test_a_subclass_keeps_its_own_authentication_classes() -> None:
    from rest_framework.authentication import BasicAuthentication

    from drf_hardening.tokens.authentication import TokenAuthentication
    from drf_hardening.tokens.views import TokenListView

    class BasicList(TokenListView):
        authentication_classes = (BasicAuthentication,)

    assert [type(a) for a in BasicList().get_authenticators()] == [BasicAuthentication]
    # The inherited default is read when the view runs, not when DRF was imported.
    assert [type(a) for a in TokenListView().get_authenticators()] == [TokenAuthentication]


def test_own_tokens_of_no_user_is_none(alice: User, rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from rest_framework.request import Request

    from drf_hardening.tokens.views import TokenListView, own_tokens

    issue_token(alice)
    view = TokenListView()
    view.request = Request(rf.get("/"))
    view.request.user = AnonymousUser()
    assert list(own_tokens(view)) == []
    view.request.user = alice
    assert len(own_tokens(view)) == 1
