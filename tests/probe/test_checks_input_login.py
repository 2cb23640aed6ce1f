"""Input and login checks on answers the tests write (tests/probe/fake_api.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drf_hardening.probe.checks.auth import MAX_FAILED_LOGINS
from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve
from tests.probe.reports import run_probe


class Items:
    """A create endpoint; ``strict`` refuses invisible characters in ``title``."""

    def __init__(self, *, strict: bool, location: bool = True) -> None:
        self.strict, self.location = strict, location
        self.items: dict[int, dict[str, str]] = {}
        self.next_id = 1

    def __call__(self, request: Request) -> Reply:
        if request.method == "POST" and request.path == "/api/items/":
            data = request.json()
            if self.strict and any(c in data["title"] for c in "\u202e\u200b"):
                return Reply.json(400, {"title": ["Invisible characters are not allowed."]})
            item_id, self.next_id = self.next_id, self.next_id + 1
            self.items[item_id] = data
            headers = {"Location": f"/api/items/{item_id}/"} if self.location else {}
            return Reply.json(201, {"id": item_id, **data}, **headers)
        if request.method == "DELETE":
            item_id = int(request.path.strip("/").split("/")[-1])
            return Reply(204 if self.items.pop(item_id, None) else 404, {}, b"")
        return Reply.json(200, {}, **GOOD_HEADERS)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "item.json"
    path.write_text(json.dumps({"done": False, "title": "Probe item", "note": "n"}))
    return path


def probe_input(app: Items, template: Path, *args: str) -> dict[str, str]:
    with serve(app) as api:
        report = run_probe(
            api.url, "--only", "input", "--token", "t", "--post-json", str(template), *args
        )
    return {c["id"]: f"{c['status']} {c['evidence']}" for c in report.document["checks"]}


def test_strict_api_refuses_both_characters(template: Path) -> None:
    app = Items(strict=True)

    found = probe_input(app, template)

    assert found == {
        "input.bidi": "PASS 'title' with U+202E: 400 Invisible characters are not allowed.",
        "input.zero-width": "PASS 'title' with U+200B: 400 Invisible characters are not allowed.",
    }
    assert app.items == {}  # the template's own object was deleted


@pytest.mark.parametrize("location", [True, False])
def test_lax_api_fails_and_everything_created_is_deleted(template: Path, location: bool) -> None:
    app = Items(strict=False, location=location)

    found = probe_input(app, template)

    assert found["input.bidi"].startswith("FAIL 'title' with U+202E was accepted: 201; deleted ")
    assert found["input.zero-width"].startswith("FAIL")
    assert app.items == {}
    assert app.next_id == 4  # the template, then one object per character


def test_template_refused_skips(template: Path) -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST":
            return Reply.json(400, {"done": ["Required."]})
        return Reply.json(200, {})

    with serve(app) as api:
        report = run_probe(api.url, "--only", "input", "--token", "t", "--post-json", str(template))

    assert set(report.statuses.values()) == {"SKIP"}
    assert "template itself was refused: 400" in report.evidence("input.bidi")
    assert sum(r.method == "POST" for r in api.received) == 1


def test_template_without_text_field_or_token_skips(tmp_path: Path, template: Path) -> None:
    numbers = tmp_path / "numbers.json"
    numbers.write_text('{"count": 1}')
    with serve(Items(strict=True)) as api:
        no_text = run_probe(
            api.url, "--only", "input.bidi", "--token", "t", "--post-json", str(numbers)
        )
        no_token = run_probe(api.url, "--only", "input.bidi", "--post-json", str(template))

    assert no_text.evidence("input.bidi") == "the --post-json template has no text field"
    assert no_token.evidence("input.bidi") == "--post-json needs --token (or a login)"
    assert all(r.method == "GET" for r in api.received)


class Login:
    """A login URL: ``leaky`` tells unknown users apart; ``limit`` failed tries per client."""

    def __init__(self, *, leaky: bool = False, limit: int | None = None, advertise: bool = False):
        self.leaky, self.limit, self.advertise = leaky, limit, advertise
        self.attempts: list[dict[str, str]] = []

    def __call__(self, request: Request) -> Reply:
        if request.path != "/login/":
            return Reply.json(200, {}, **GOOD_HEADERS)
        self.attempts.append(request.json())
        if self.limit is not None and len(self.attempts) > self.limit:
            return Reply.json(429, {"detail": "slow down"}, Retry_After="60")
        headers = (
            {"RateLimit": f'"login";r={5 - len(self.attempts)};t=60'} if self.advertise else {}
        )
        known = request.json()["username"] == "alice"
        message = "No such user." if self.leaky and not known else "Wrong credentials."
        return Reply.json(
            400, {"detail": message}, X_Request_ID=f"r{len(self.attempts)}", **headers
        )


def probe_login(app: Login, *args: str) -> dict[str, str]:
    with serve(app) as api:
        report = run_probe(api.url, "--only", "auth,rate.login", "--login-url", "/login/", *args)
    return {c["id"]: f"{c['status']} {c['evidence']}" for c in report.document["checks"]}


def test_identical_answers_pass_and_advertised_throttle_passes() -> None:
    app = Login(advertise=True)

    found = probe_login(app, "--username", "alice")

    assert found["auth.login-identical"].startswith(
        "PASS unknown user and wrong password: both 400"
    )
    assert found["rate.login"] == 'PASS throttled: ratelimit: "login";r=4;t=60'
    assert len(app.attempts) == 2
    assert app.attempts[1]["username"] == "alice"


def test_unknown_user_told_apart_fails() -> None:
    found = probe_login(Login(leaky=True, advertise=True), "--username", "alice")

    assert found["auth.login-identical"].startswith("FAIL the body differs: unknown user 400")


def test_unthrottled_login_fails_after_a_few_tries_only() -> None:
    app = Login()

    found = probe_login(app, "--username", "alice")

    assert found["rate.login"] == (
        f"FAIL {MAX_FAILED_LOGINS} failed logins in a row answered 400: "
        "no 429 and no RateLimit header"
    )
    # Never more wrong credentials than a failed-auth guard allows (10 a minute).
    assert len(app.attempts) == MAX_FAILED_LOGINS < 10


def test_login_429_within_the_tries_passes() -> None:
    found = probe_login(Login(limit=2))

    assert found["rate.login"] == "PASS 429 (Retry-After: 60) on failed login 3"
    assert (
        found["auth.login-identical"] == "SKIP no --username given: no known user to compare with"
    )


def test_throttled_before_comparison_skips() -> None:
    found = probe_login(Login(limit=0), "--username", "alice")

    assert found["auth.login-identical"].startswith("SKIP the login answered 429")


def test_no_login_url_skips_both() -> None:
    with serve(Login()) as api:
        report = run_probe(api.url, "--only", "auth,rate.login")

    assert set(report.statuses.values()) == {"SKIP"}
    assert len(api.received) == 1


def test_created_object_found_by_url_or_id_is_deleted(template: Path) -> None:
    deleted: list[str] = []

    def app(request: Request) -> Reply:
        if request.method == "POST":
            data = request.json()
            if data["title"].endswith("\u202e"):
                return Reply.json(201, {"url": "/api/items/by-url/"})
            return Reply.json(201, {"id": "by-id"})
        if request.method == "DELETE":
            deleted.append(request.path)
            return Reply(204, {}, b"")
        return Reply.json(200, {})

    with serve(app) as api:
        run_probe(api.url, "--only", "input", "--token", "t", "--post-json", str(template))

    assert deleted == ["/api/items/by-id/", "/api/items/by-url/", "/api/items/by-id/"]


def test_cleanup_that_fails_is_reported(template: Path) -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST":
            data = request.json()
            return Reply.json(201, {"id": 7} if data["title"] == "Probe item" else {})
        if request.method == "DELETE":
            return Reply.json(405, {"detail": "no"})
        return Reply.json(200, {})

    with serve(app) as api:
        report = run_probe(api.url, "--only", "input", "--token", "t", "--post-json", str(template))

    assert report.evidence("input.bidi").endswith(
        "was accepted: 201; created an object the probe cannot find to delete"
    )
    assert report.statuses["input.zero-width"] == "FAIL"


def test_not_deleted_template_object_noted(template: Path) -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST":
            return Reply.json(201, {"id": 7}, Location="/api/items/7/")
        if request.method == "DELETE":
            return Reply.json(403, {"detail": "no"})
        return Reply.json(200, {})

    with serve(app) as api:
        report = run_probe(
            api.url, "--only", "input.bidi", "--token", "t", "--post-json", str(template)
        )

    assert report.evidence("input.bidi").endswith(
        "; could not delete " + api.to("/api/items/7/") + ": 403"
    )


def test_problem_details_field_message_shown(template: Path) -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST" and request.json()["title"] != "Probe item":
            errors = [{"pointer": "#/title", "code": "invalid", "detail": "Not allowed."}]
            return Reply.json(400, {"type": "about:blank", "errors": errors})
        if request.method == "POST":
            return Reply.json(201, {"id": 1})
        return Reply(204, {}, b"") if request.method == "DELETE" else Reply.json(200, {})

    with serve(app) as api:
        report = run_probe(
            api.url, "--only", "input.bidi", "--token", "t", "--post-json", str(template)
        )

    assert report.evidence("input.bidi") == "'title' with U+202E: 400 Not allowed."


@pytest.mark.parametrize(("key", "header"), [("key", "Token k1"), ("access", "Bearer k1")])
def test_login_answer_forms(key: str, header: str) -> None:
    def app(request: Request) -> Reply:
        if request.path == "/login/":
            return Reply.json(200, {key: "k1"})
        return Reply.json(200, {}, **GOOD_HEADERS)

    with serve(app) as api:
        run_probe(api.url, "--login-url", "/login/", "--username", "u", "--password", "p",
                  "--only", "headers.csp")  # fmt: skip

    assert api.received[-1].headers["authorization"] == header


def test_refusal_not_naming_the_field_shows_the_answer(template: Path) -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST" and request.json()["title"] != "Probe item":
            return Reply.json(400, {"detail": "Bad input.", "status": 400})
        return Items(strict=False)(request)

    with serve(app) as api:
        report = run_probe(
            api.url, "--only", "input.bidi", "--token", "t", "--post-json", str(template)
        )

    assert report.evidence("input.bidi") == (
        '\'title\' with U+202E: 400 application/json {"detail": "Bad input.", "status": 400}'
    )
