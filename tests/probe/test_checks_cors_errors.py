"""CORS and error checks on answers the tests write (tests/probe/fake_api.py)."""

from __future__ import annotations

import json

from tests.probe.fake_api import GOOD_HEADERS, App, Reply, Request, serve
from tests.probe.reports import run_probe

FRONT_END = "https://app.example.com"


def cors_app(allow: str | None, credentials: bool = True) -> App:
    """Answers with ``Access-Control-Allow-Origin: allow`` (``"reflect"``: the request's)."""

    def app(request: Request) -> Reply:
        origin = request.headers.get("origin")
        headers = dict(GOOD_HEADERS)
        if origin == FRONT_END or (origin and allow == "reflect"):
            headers["Access-Control-Allow-Origin"] = origin
        elif origin and allow == "*":
            headers["Access-Control-Allow-Origin"] = "*"
        if credentials and "Access-Control-Allow-Origin" in headers:
            headers["Access-Control-Allow-Credentials"] = "true"
        return Reply.json(200, {}, **headers)

    return app


def cors(allow: str | None, credentials: bool = True, origin: str = FRONT_END) -> dict[str, str]:
    with serve(cors_app(allow, credentials)) as api:
        report = run_probe(api.url, "--only", "cors", "--origin", origin)
    return report.statuses


def test_front_end_allowed_and_others_refused_passes() -> None:
    assert set(cors(None).values()) == {"PASS"}


def test_front_end_not_allowed_fails() -> None:
    assert cors(None, origin="https://other.example.com")["cors.allowed-origin"] == "FAIL"


def test_reflecting_every_origin_fails_both_checks() -> None:
    statuses = cors("reflect")

    assert statuses["cors.not-reflected"] == "FAIL"
    assert statuses["cors.credentials"] == "FAIL"


def test_reflecting_without_credentials_fails_only_reflection() -> None:
    statuses = cors("reflect", credentials=False)

    assert statuses["cors.not-reflected"] == "FAIL"
    assert statuses["cors.credentials"] == "PASS"


def test_wildcard_with_credentials_fails() -> None:
    assert cors("*")["cors.credentials"] == "FAIL"


def test_wildcard_without_credentials_is_not_reflection() -> None:
    statuses = cors("*", credentials=False)

    assert statuses["cors.not-reflected"] == "PASS"
    assert statuses["cors.credentials"] == "PASS"


def test_hostile_origins_include_null_and_look_alikes() -> None:
    with serve(cors_app(None)) as api:
        run_probe(api.url, "--only", "cors.not-reflected", "--origin", FRONT_END)

    sent = {r.headers["origin"] for r in api.received if "origin" in r.headers}
    assert {"null", "https://app.example.com.evil.test", "https://evilapp.example.com"} <= sent
    assert "http://app.example.com" in sent


def test_no_origin_skips_the_allowed_check() -> None:
    with serve(cors_app(None)) as api:
        report = run_probe(api.url, "--only", "cors.allowed-origin")

    assert report.statuses == {"cors.allowed-origin": "SKIP"}
    assert len(api.received) == 1  # the base GET only


def envelope(status: int, request_id: str) -> Reply:
    body = {"error": {"status": status, "code": "x", "message": "m", "request_id": request_id}}
    return Reply.json(status, body, X_Request_ID=request_id)


def error_app(request: Request) -> Reply:
    """A well-behaved API: every probe error in one envelope with its request id."""
    rid = f"rid{len(request.body)}{request.method}"
    if request.path != "/api/items/":
        return envelope(404, rid)
    if request.method not in ("GET", "POST"):
        return envelope(405, rid)
    if request.headers.get("accept", "").startswith("application/x-"):
        return envelope(406, rid)
    if request.method == "POST":
        if len(request.body) > 100:
            return envelope(413, rid)
        if request.headers.get("content-type") != "application/json":
            return envelope(415, rid)
        try:
            json.loads(request.body)
        except ValueError:
            return envelope(400, rid)
    return Reply.json(200, {}, **GOOD_HEADERS)


def errors(app: App, *args: str) -> tuple[dict[str, str], dict[str, str]]:
    with serve(app) as api:
        report = run_probe(api.url, "--only", "errors", "--body-limit", "100", *args)
    return report.statuses, {c["id"]: c["evidence"] for c in report.document["checks"]}


def test_errors_of_a_well_behaved_api_pass() -> None:
    statuses, evidence = errors(error_app)

    assert set(statuses.values()) == {"PASS"}
    assert evidence["errors.shape"] == "6 errors, one shape: error{code,message,request_id,status}"


def test_body_limit_sends_one_byte_more() -> None:
    with serve(error_app) as api:
        run_probe(api.url, "--only", "errors.413", "--body-limit", "100")

    assert [len(r.body) for r in api.received if r.method == "POST"] == [101]


def test_html_404_with_a_traceback_fails_status_shape_and_leak() -> None:
    def app(request: Request) -> Reply:
        if request.path != "/api/items/":
            page = b'<pre>Traceback (most recent call last):\n  File "/srv/app/views.py", line 3'
            return Reply(404, {"Content-Type": "text/html"}, page)
        return error_app(request)

    statuses, evidence = errors(app)

    assert statuses["errors.404"] == "FAIL"
    assert "not a JSON object: 404 text/html" in evidence["errors.404"]
    assert statuses["errors.shape"] == "FAIL"
    assert statuses["errors.no-leak"] == "FAIL"
    assert "a Python traceback" in evidence["errors.no-leak"]


def test_sql_in_an_error_body_is_a_leak() -> None:
    def app(request: Request) -> Reply:
        if request.method == "POST" and request.body.startswith(b'{"drfh'):
            message = 'syntax error near SELECT "id" FROM "items" WHERE'
            return Reply.json(400, {"error": {"status": 400, "code": "x", "message": message,
                                              "request_id": "r1"}}, X_Request_ID="r1")  # fmt: skip
        return error_app(request)

    statuses, evidence = errors(app)

    assert statuses["errors.no-leak"] == "FAIL"
    assert "shows SQL" in evidence["errors.no-leak"]


def test_request_id_only_in_the_header_fails() -> None:
    def app(request: Request) -> Reply:
        reply = error_app(request)
        if reply.status == 405:
            return Reply.json(405, {"error": {"status": 405, "code": "x", "message": "m",
                                              "request_id": None}}, X_Request_ID="abc")  # fmt: skip
        return reply

    statuses, evidence = errors(app)

    assert statuses["errors.request-id"] == "FAIL"
    assert evidence["errors.request-id"] == "the 405 body does not carry its x-request-id abc"
    assert statuses["errors.shape"] == "PASS"


def test_wrong_status_fails_that_check_only() -> None:
    def app(request: Request) -> Reply:
        reply = error_app(request)
        return envelope(400, "r") if reply.status == 415 else reply

    statuses, _ = errors(app)

    assert statuses["errors.415"] == "FAIL"
    assert statuses["errors.400"] == "PASS"


def test_without_a_token_a_401_skips_instead_of_failing() -> None:
    def app(request: Request) -> Reply:
        if request.path == "/api/items/":
            return envelope(401, "r")
        return error_app(request)

    statuses, _ = errors(app)

    assert statuses["errors.404"] == "PASS"
    assert {statuses[f"errors.{s}"] for s in ("405", "406", "413", "415", "400")} == {"SKIP"}


def test_allowed_origin_wildcard_with_credentials_fails() -> None:
    def app(request: Request) -> Reply:
        headers = {**GOOD_HEADERS, "Access-Control-Allow-Credentials": "true"}
        if request.headers.get("origin") == FRONT_END:
            headers["Access-Control-Allow-Origin"] = "*"
        return Reply.json(200, {}, **headers)

    with serve(app) as api:
        report = run_probe(api.url, "--only", "cors.credentials", "--origin", FRONT_END)

    assert report.statuses == {"cors.credentials": "FAIL"}


def test_request_that_gets_no_answer_fails_its_check() -> None:
    def app(request: Request) -> Reply:
        if request.headers.get("accept", "").startswith("application/x-"):
            raise ConnectionAbortedError  # the server drops the connection
        return error_app(request)

    statuses, evidence = errors(app)

    assert statuses["errors.406"] == "FAIL"
    assert evidence["errors.406"].startswith("no answer: RemoteProtocolError")
    assert statuses["errors.405"] == "PASS"


def test_connection_closed_on_a_foreign_host_passes() -> None:
    def app(request: Request) -> Reply:
        if not request.headers["host"].startswith("127.0.0.1"):
            raise ConnectionAbortedError  # nginx's "return 444"
        return Reply.json(200, {})

    with serve(app) as api:
        report = run_probe(api.url, "--only", "host")

    assert report.statuses == {"host.foreign": "PASS"}
    assert report.evidence("host.foreign").endswith("the connection was closed without an answer")
