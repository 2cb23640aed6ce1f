"""Every endpoint of the example Task Manager API, through the full middleware stack."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient, APIRequestFactory

from drf_hardening.tokens import issue_token
from drf_hardening.tokens.models import AuthToken
from tasks.models import Task
from tasks.permissions import IsOwner
from tasks.serializers import RegisterSerializer
from tests.example.conftest import PASSWORD, TOKEN_PATTERN

pytestmark = pytest.mark.django_db


def field_codes(response: Any) -> dict[str, list[str]]:
    """``{"title": ["too_short"], ...}`` from the library's error envelope."""
    return {
        name: [entry["code"] for entry in entries]
        for name, entries in response.json()["error"]["fields"].items()
    }


# --- / ----------------------------------------------------------------------


def test_index_answers_without_a_token(anon: APIClient) -> None:
    response = anon.get("/")
    assert response.status_code == 200
    links = response.json()
    assert links["tasks"] == "http://testserver/api/tasks/"
    assert links["docs"] == "http://testserver/api/docs/"
    assert set(links) == {"tasks", "register", "token", "logout", "schema", "docs", "redoc"}


def test_unknown_url_is_a_json_404(anon: APIClient) -> None:
    response = anon.get("/no/such/page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "not_found"


# --- registration -------------------------------------------------------------


def test_register_creates_a_user_with_a_hashed_password(anon: APIClient) -> None:
    response = anon.post(
        "/api/auth/register/", {"username": "Carol", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    # identifier=True folds case: the account is "carol".
    assert response.json() == {"id": response.json()["id"], "username": "carol"}
    user = get_user_model().objects.get(username="carol")
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short", "min_length"),
        ("password123", "password_too_common"),
        ("83920174623", "password_entirely_numeric"),
        ("carol!!!", "password_too_similar"),
    ],
)
def test_register_weak_password_is_400(anon: APIClient, password: str, code: str) -> None:
    response = anon.post(
        "/api/auth/register/", {"username": "carol", "password": password}, format="json"
    )
    assert response.status_code == 400
    assert code in field_codes(response)["password"]
    assert not get_user_model().objects.filter(username="carol").exists()


@pytest.mark.parametrize(
    "username",
    ["ca rol", "carol\u200b", "c\u202earol", "p\u0430ypal", "<script>", "ca"],
    ids=["space", "zero-width", "bidi-override", "mixed-script", "markup", "too-short"],
)
def test_register_bad_username_is_400(anon: APIClient, username: str) -> None:
    response = anon.post(
        "/api/auth/register/", {"username": username, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert "username" in field_codes(response)
    assert get_user_model().objects.count() == 0


def test_register_taken_username_in_another_case_is_400(anon: APIClient, alice: Any) -> None:
    response = anon.post(
        "/api/auth/register/", {"username": "ALICE", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert field_codes(response) == {"username": ["unique"]}


def test_register_rejects_privilege_fields(anon: APIClient) -> None:
    response = anon.post(
        "/api/auth/register/",
        {"username": "mallory", "password": PASSWORD, "is_staff": True},
        format="json",
    )
    assert response.status_code == 400
    assert "is_staff" in field_codes(response)
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_register_is_throttled_per_client(anon: APIClient) -> None:
    statuses = [
        anon.post(
            "/api/auth/register/", {"username": f"user{i}", "password": PASSWORD}, format="json"
        ).status_code
        for i in range(10)
    ]
    assert statuses == [201] * 10  # "register": "10/hour"
    response = anon.post(
        "/api/auth/register/", {"username": "user10", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"
    assert not get_user_model().objects.filter(username="user10").exists()


# --- token login and logout ---------------------------------------------------------


def login(client: APIClient, password: str = PASSWORD, **extra: Any) -> Any:
    body = {"username": "alice", "password": password, **extra}
    return client.post("/api/auth/token/", body, format="json", HTTP_USER_AGENT="pytest/1.0")


def test_token_login_issues_a_new_hashed_token(anon: APIClient, alice: Any) -> None:
    response = login(anon)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "id", "name", "expires"}
    assert re.fullmatch(TOKEN_PATTERN, body["token"])
    assert body["name"] == "pytest/1.0"
    row = AuthToken.objects.get(public_id=body["id"])
    assert row.user == alice.user
    assert body["token"].split("_")[2] not in row.digest
    assert login(anon).json()["token"] != body["token"]  # a new token at every login
    anon.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert anon.get("/api/tasks/").status_code == 200


def test_token_login_accepts_json_only(anon: APIClient, alice: Any) -> None:
    response = anon.post("/api/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 415


def test_token_login_does_not_tell_unknown_user_from_wrong_password(
    anon: APIClient, alice: Any
) -> None:
    wrong_password = anon.post(
        "/api/auth/token/", {"username": "alice", "password": "nope-nope-nope"}, format="json"
    )
    unknown_user = anon.post(
        "/api/auth/token/", {"username": "nobody", "password": "nope-nope-nope"}, format="json"
    )
    assert wrong_password.status_code == unknown_user.status_code == 400
    body = wrong_password.json()["error"]
    other = unknown_user.json()["error"]
    assert (body["code"], body["message"], body["fields"]) == (
        other["code"],
        other["message"],
        other["fields"],
    )


def test_token_login_is_throttled_after_failures(anon: APIClient, alice: Any) -> None:
    statuses = []
    for _ in range(6):
        response = anon.post(
            "/api/auth/token/", {"username": "alice", "password": "wrong-guess-1"}, format="json"
        )
        statuses.append(response.status_code)
    assert statuses[:5] == [400] * 5  # LOGIN_RATE "5/min"
    assert statuses[5] == 429
    assert int(response["Retry-After"]) > 0
    # Locked out for now even with the right password: guessing gains nothing.
    right = anon.post(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    assert right.status_code == 429


def test_logout_revokes_the_token(alice: Any) -> None:
    assert alice.post("/api/auth/logout/").status_code == 204
    assert not AuthToken.objects.active().filter(user=alice.user).exists()
    response = alice.get("/api/tasks/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_logout_all_revokes_every_token_of_the_user_only(alice: Any, bob: Any) -> None:
    _, other = issue_token(alice.user, name="phone")
    assert alice.post("/api/auth/logout-all/").status_code == 204
    assert alice.get("/api/tasks/").status_code == 401
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Token {other}")
    assert phone.get("/api/tasks/").status_code == 401
    assert bob.get("/api/tasks/").status_code == 200


def test_my_tokens_are_listed_and_revoked_by_id(alice: Any, bob: Any) -> None:
    phone, _ = issue_token(alice.user, name="phone")
    listed = alice.get("/api/auth/tokens/")
    assert listed.status_code == 200
    rows = listed.json()["results"]  # paginated, as every list of the API
    assert {row["name"] for row in rows} == {"", "phone"}
    assert all(set(row) == {"id", "name", "created", "last_used", "expires"} for row in rows)
    assert bob.delete(f"/api/auth/tokens/{phone.public_id}/").status_code == 404
    assert alice.delete(f"/api/auth/tokens/{phone.public_id}/").status_code == 204
    left = [row["id"] for row in alice.get("/api/auth/tokens/").json()["results"]]
    assert phone.public_id not in left
    assert len(left) == 1


def test_logout_without_a_token_is_401(anon: APIClient) -> None:
    response = anon.post("/api/auth/logout/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


# --- tasks: CRUD ----------------------------------------------------------------------


def test_create_task_belongs_to_the_caller(alice: Any) -> None:
    response = alice.post(
        "/api/tasks/",
        {"title": "Write the walkthrough", "description": "line one\nline two"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "title", "description", "completed", "created_at", "owner"}
    assert body["owner"] == "alice"
    assert body["completed"] is False
    task = Task.objects.get(pk=body["id"])
    assert task.created_by == alice.user
    assert task.description == "line one\nline two"


def test_list_tasks_is_paginated_and_only_mine(alice: Any, bob: Any, alice_task: Task) -> None:
    Task.objects.create(created_by=bob.user, title="Bob task")
    response = alice.get("/api/tasks/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [task["title"] for task in body["results"]] == ["Alice task"]
    assert {"next", "previous"} <= set(body)


def test_retrieve_update_and_delete_my_task(alice: Any, alice_task: Task) -> None:
    url = f"/api/tasks/{alice_task.pk}/"
    assert alice.get(url).json()["title"] == "Alice task"

    put = alice.put(url, {"title": "Renamed task", "completed": True}, format="json")
    assert put.status_code == 200
    assert (put.json()["title"], put.json()["completed"]) == ("Renamed task", True)

    patch = alice.patch(url, {"description": "more"}, format="json")
    assert patch.status_code == 200
    alice_task.refresh_from_db()
    assert (alice_task.title, alice_task.description, alice_task.completed) == (
        "Renamed task",
        "more",
        True,
    )

    assert alice.delete(url).status_code == 204
    assert not Task.objects.filter(pk=alice_task.pk).exists()
    assert alice.get(url).status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/tasks/"), ("post", "/api/tasks/"), ("get", "/api/tasks/1/"),
     ("put", "/api/tasks/1/"), ("patch", "/api/tasks/1/"), ("delete", "/api/tasks/1/")],
)  # fmt: skip
def test_tasks_without_a_token_are_401(anon: APIClient, method: str, path: str) -> None:
    response = getattr(anon, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


def test_tasks_with_a_bad_token_are_401(anon: APIClient) -> None:
    anon.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    response = anon.get("/api/tasks/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


# --- tasks: broken object level authorization (OWASP API1) -------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [("get", None), ("put", {"title": "Hijacked", "completed": True}),
     ("patch", {"completed": True}), ("delete", None)],
)  # fmt: skip
def test_another_users_task_is_404_and_unchanged(
    bob: Any, alice_task: Task, method: str, body: dict[str, Any] | None
) -> None:
    before = Task.objects.filter(pk=alice_task.pk).values().get()
    response = getattr(bob, method)(f"/api/tasks/{alice_task.pk}/", body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Task.objects.filter(pk=alice_task.pk).values().get() == before
    # The same answer as for an id that does not exist: nothing is revealed.
    missing = getattr(bob, method)("/api/tasks/999999/", body, format="json")
    assert missing.json()["error"]["message"] == response.json()["error"]["message"]


def test_another_users_tasks_are_not_listed_or_found(bob: Any, alice_task: Task) -> None:
    assert bob.get("/api/tasks/").json()["count"] == 0
    assert bob.get("/api/tasks/", {"search": "Alice"}).json()["count"] == 0


# --- tasks: input validation (OWASP API3, API4) ------------------------------------------


@pytest.mark.parametrize(
    ("title", "code"),
    [("ab", "too_short"), ("private\ue000use", "private_use_character"),
     ("Buy milk\u2028now", "line_separator"), ("bell\u0007", "control_character"),
     ("evil\u202etxt.exe", "bidi_control"), ("zero\u200bwidth", "invisible_character"),
     ("x" * 201, "too_long"), ("", "blank"), (123, "not_a_string")],
)  # fmt: skip
def test_invalid_title_is_400_and_nothing_is_created(alice: Any, title: Any, code: str) -> None:
    response = alice.post("/api/tasks/", {"title": title}, format="json")
    assert response.status_code == 400
    assert field_codes(response) == {"title": [code]}
    assert Task.objects.count() == 0


def test_title_accepts_any_script_and_folds_spaces(alice: Any) -> None:
    response = alice.post("/api/tasks/", {"title": "  Café  façade 2  "}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == "Café façade 2"


def test_description_rejects_control_characters_but_keeps_lines(alice: Any) -> None:
    bad = alice.post("/api/tasks/", {"title": "Fine", "description": "a\x1b[31m"}, format="json")
    assert bad.status_code == 400
    assert field_codes(bad) == {"description": ["control_character"]}


@pytest.mark.parametrize(
    "extra",
    [{"owner": "bob"}, {"created_by": 2}, {"id": 999}, {"created_at": "2020-01-01T00:00:00Z"},
     {"priority": "high"}],
)  # fmt: skip
def test_unknown_and_read_only_fields_are_400(
    alice: Any, alice_task: Task, extra: dict[str, Any]
) -> None:
    response = alice.post("/api/tasks/", {"title": "Valid title", **extra}, format="json")
    assert response.status_code == 400
    assert set(field_codes(response)) == set(extra)
    patch = alice.patch(f"/api/tasks/{alice_task.pk}/", extra, format="json")
    assert patch.status_code == 400
    assert Task.objects.count() == 1
    assert Task.objects.get().created_by == alice.user


def test_form_encoded_body_is_415(alice: Any) -> None:
    response = alice.post("/api/tasks/", {"title": "Form post"})  # multipart
    assert response.status_code == 415
    assert Task.objects.count() == 0


def test_malformed_json_is_400_without_parser_details(alice: Any) -> None:
    response = alice.generic("POST", "/api/tasks/", '{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert "char" not in response.json()["error"]["message"]


# --- tasks: filtering, search, ordering, pagination (performance) ---------------------------


@pytest.fixture
def three_tasks(alice: Any) -> list[Task]:
    return [
        Task.objects.create(created_by=alice.user, title="Buy milk", completed=True),
        Task.objects.create(created_by=alice.user, title="Call mum"),
        Task.objects.create(created_by=alice.user, title="Alpha release"),
    ]


def titles(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [task["title"] for task in response.json()["results"]]


def test_filter_by_completed(alice: Any, three_tasks: list[Task]) -> None:
    assert titles(alice.get("/api/tasks/", {"completed": "true"})) == ["Buy milk"]
    assert sorted(titles(alice.get("/api/tasks/", {"completed": "false"}))) == [
        "Alpha release",
        "Call mum",
    ]


def test_filter_with_a_bad_boolean_is_400(alice: Any, three_tasks: list[Task]) -> None:
    response = alice.get("/api/tasks/", {"completed": "maybe"})
    assert response.status_code == 400
    assert "completed" in field_codes(response)


def test_search_on_title(alice: Any, three_tasks: list[Task]) -> None:
    assert titles(alice.get("/api/tasks/", {"search": "milk"})) == ["Buy milk"]


def test_search_with_a_control_character_is_400(alice: Any, three_tasks: list[Task]) -> None:
    response = alice.get("/api/tasks/", {"search": "milk\x00"})
    assert response.status_code == 400
    assert field_codes(response) == {"search": ["control_character"]}


def test_ordering(alice: Any, three_tasks: list[Task]) -> None:
    assert titles(alice.get("/api/tasks/", {"ordering": "title"})) == [
        "Alpha release",
        "Buy milk",
        "Call mum",
    ]
    assert titles(alice.get("/api/tasks/", {"ordering": "-title"}))[0] == "Call mum"
    # Newest first by default.
    assert titles(alice.get("/api/tasks/")) == ["Alpha release", "Call mum", "Buy milk"]


def test_page_size_is_capped(alice: Any) -> None:
    Task.objects.bulk_create(Task(created_by=alice.user, title=f"Task {i}") for i in range(120))
    response = alice.get("/api/tasks/", {"page_size": 1_000_000})
    assert response.status_code == 200
    assert response.json()["count"] == 120
    assert len(response.json()["results"]) == 100  # DRF_HARDENING["MAX_PAGE_SIZE"]
    assert len(alice.get("/api/tasks/").json()["results"]) == 50  # PAGE_SIZE


def test_page_past_the_end_is_404(alice: Any, three_tasks: list[Task]) -> None:
    response = alice.get("/api/tasks/", {"page": 99})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def count_queries(client: APIClient, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_list_query_count_is_constant_in_the_number_of_tasks(alice: Any) -> None:
    count_queries(alice, "/api/auth/tokens/")  # the token's first use records last_used
    Task.objects.bulk_create(Task(created_by=alice.user, title=f"Task {i}") for i in range(2))
    few = count_queries(alice, "/api/tasks/")
    Task.objects.bulk_create(Task(created_by=alice.user, title=f"More {i}") for i in range(40))
    many = count_queries(alice, "/api/tasks/")
    assert few == many
    # token + user (1, joined; last_used is written once per 5 minutes), count,
    # page (owner joined): nothing per task.
    assert many == 3


# --- throttling of the task endpoints -------------------------------------------------------


def test_task_endpoints_are_throttled_per_user(alice: Any, bob: Any) -> None:
    statuses = [alice.get("/api/tasks/").status_code for _ in range(60)]
    assert statuses == [200] * 60  # "tasks": "60/minute"
    response = alice.get("/api/tasks/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    # Bob has his own budget.
    assert bob.get("/api/tasks/").status_code == 200


def test_invalid_task_id_is_404(alice: Any) -> None:
    assert alice.get("/api/tasks/not-a-number/").status_code == 404


def test_is_owner_refuses_another_users_object(alice: Any, bob: Any, alice_task: Task) -> None:
    # Defence in depth behind the scoped querysets: a view that forgot to scope still refuses.
    request = APIRequestFactory().get("/")
    request.user = bob.user
    assert IsOwner().has_object_permission(request, None, alice_task) is False
    request.user = alice.user
    assert IsOwner().has_object_permission(request, None, alice_task) is True


def test_browsers_get_json_too(anon: APIClient) -> None:
    response = anon.get("/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"


def test_register_race_on_the_same_name_is_a_400_not_a_500(anon: APIClient) -> None:
    # Two requests pass the "taken?" check at once; the database's unique index decides.
    serializer = RegisterSerializer(data={"username": "dave", "password": PASSWORD})
    assert serializer.is_valid()
    get_user_model().objects.create_user("dave", password=PASSWORD)  # the other request
    with pytest.raises(ValidationError) as error:
        serializer.save()
    assert error.value.detail == {"username": ["This username is taken."]}
    assert get_user_model().objects.filter(username="dave").count() == 1
