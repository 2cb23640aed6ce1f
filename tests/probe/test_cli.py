"""The command line: usage errors exit 2 with a message, output formats, the request cap."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from drf_hardening.probe.checks import CHECKS
from drf_hardening.probe.cli import DEFAULT_MAX_REQUESTS, main
from tests.e2e.components import ROOT
from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve
from tests.probe.reports import run_probe
from tests.services import free_port


def good(request: Request) -> Reply:
    return Reply.json(200, {"results": []}, **GOOD_HEADERS)


def error_of(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    return capsys.readouterr().err


def test_url_without_scheme_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert "must start with https://" in error_of(capsys, "probe", "api.example.com/api/")


def test_max_requests_below_one_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, "probe", "https://api.example.com/", "--max-requests", "0")
    assert "--max-requests must be at least 1" in err


def test_password_without_login_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, "probe", "https://api.example.com/", "--password", "x")
    assert "--password needs --login-url and --username" in err


def test_missing_post_json_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    err = error_of(capsys, "probe", "https://api.example.com/", "--post-json", str(missing))
    assert f"--post-json {missing}" in err


def test_post_json_not_an_object_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    template = tmp_path / "list.json"
    template.write_text("[1, 2]")
    err = error_of(capsys, "probe", "https://api.example.com/", "--post-json", str(template))
    assert "must be a JSON object" in err


def test_unreadable_cafile_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    err = error_of(capsys, "probe", "https://x.test/", "--cafile", str(tmp_path / "ca.pem"))
    assert "--cafile" in err


def test_cafile_and_insecure_together_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, "probe", "https://x.test/", "--cafile", "ca.pem", "--insecure")
    assert "not allowed with argument" in err


def test_unknown_only_id_lists_the_ids(capsys: pytest.CaptureFixture[str]) -> None:
    with serve(good) as api:
        err = error_of(capsys, "probe", api.url, "--only", "headers.nope")
    assert "unknown check headers.nope" in err
    assert "rate.forwarded-for" in err
    assert api.received == []


def test_unreachable_url_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, "probe", f"http://127.0.0.1:{free_port()}/api/")
    assert "does not answer" in err


def test_url_that_redirects_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    def redirect(request: Request) -> Reply:
        return Reply(301, {"Location": "https://127.0.0.1/api/items/"}, b"")

    with serve(redirect) as api:
        err = error_of(capsys, "probe", api.url)
    assert "redirects to https://127.0.0.1/api/items/: probe that URL instead" in err


def test_failed_login_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    def login(request: Request) -> Reply:
        return Reply.json(400, {"detail": "Unable to log in."})

    with serve(login) as api:
        err = error_of(
            capsys, "probe", api.url, "--login-url", "/login/", "--username", "u",
            "--password", "wrong",
        )  # fmt: skip
    assert "logging in at /login/ as 'u' failed: 400" in err


def test_login_token_used_for_every_request() -> None:
    def app(request: Request) -> Reply:
        if request.path == "/login/":
            assert request.json() == {"username": "u", "password": "pw"}
            return Reply.json(200, {"token": "abc123"})
        return good(request)

    with serve(app) as api:
        report = run_probe(
            api.url, "--login-url", "/login/", "--username", "u", "--password", "pw",
            "--only", "headers",
        )  # fmt: skip

    assert report.exit_code == 0
    assert [r.headers.get("authorization") for r in api.received] == [None, "Token abc123"]


def test_token_from_environment_and_bearer_scheme_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRF_HARDENING_PROBE_TOKEN", "Bearer eyJ.x.y")
    with serve(good) as api:
        run_probe(api.url, "--only", "headers")
    assert api.received[0].headers["authorization"] == "Bearer eyJ.x.y"


def test_request_cap_counted_by_the_server() -> None:
    with serve(good) as api:
        report = run_probe(api.url, "--max-requests", "7")

    assert len(api.received) == report.sent == 7
    spent = [c for c in report.document["checks"] if "--max-requests 7" in c["evidence"]]
    assert spent
    assert {c["status"] for c in spent} == {"SKIP"}


def test_default_cap_printed_in_help_and_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "--help"]) == 0
    assert f"(default: {DEFAULT_MAX_REQUESTS})" in capsys.readouterr().out
    out = io.StringIO()
    with serve(good) as api:
        main(["probe", api.url, "--only", "headers"], stdout=out)
    assert f"; 1 of {DEFAULT_MAX_REQUESTS} requests (--max-requests) in " in out.getvalue()


def test_table_lists_each_check_with_status_and_evidence() -> None:
    out = io.StringIO()
    with serve(good) as api:
        code = main(["probe", api.url, "--only", "headers.csp,headers.nosniff"], stdout=out)

    lines = out.getvalue().splitlines()
    assert code == 0
    assert lines[2].split(maxsplit=2) == [
        "headers.nosniff",
        "PASS",
        "X-Content-Type-Options: nosniff",
    ]
    assert lines[3].split()[:2] == ["headers.csp", "PASS"]
    assert lines[-1].startswith("2 passed, 0 failed, 0 skipped; 1 of 150 requests")


def test_sarif_has_a_rule_per_check_and_a_result_per_run_check() -> None:
    out = io.StringIO()

    def no_csp(request: Request) -> Reply:
        return Reply.json(200, {}, **{**GOOD_HEADERS, "Content-Security-Policy": "default-src *"})

    with serve(no_csp) as api:
        code = main(["probe", api.url, "--sarif", "--only", "headers"], stdout=out)

    document = json.loads(out.getvalue())
    run = document["runs"][0]
    assert code == 1
    assert document["version"] == "2.1.0"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [
        c.id for c in CHECKS if c.concern == "headers"
    ]
    kinds = {result["ruleId"]: (result["kind"], result["level"]) for result in run["results"]}
    assert kinds["headers.csp"] == ("fail", "error")
    assert kinds["headers.nosniff"] == ("pass", "none")
    assert run["invocations"][0]["exitCode"] == 1


def test_check_ids_are_unique_and_dotted() -> None:
    ids = [check.id for check in CHECKS]
    assert len(ids) == len(set(ids))
    assert all(check.concern and "." in check.id for check in CHECKS)
    # The rate checks spend the quota the others need: they run last.
    assert ids[-2:] == ["rate.forwarded-for", "rate.limit"]


def test_missing_httpx_exits_2_with_the_extra_to_install() -> None:
    code = (
        "import sys; sys.modules['httpx'] = None\n"
        "from drf_hardening.probe.cli import main\n"
        "sys.exit(main(['probe', 'https://api.example.com/']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)

    assert done.returncode == 2
    assert "pip install 'drf-hardening[probe]'" in done.stderr


def test_body_limit_below_one_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    err = error_of(capsys, "probe", "https://api.example.com/", "--body-limit", "0")
    assert "--body-limit must be at least 1" in err


def test_table_cuts_evidence_to_a_terminal_width() -> None:
    from drf_hardening.probe.model import Check, Outcome, failed
    from drf_hardening.probe.report import Run, table

    check = Check("headers.csp", "CSP", lambda ctx: failed("x"))
    run = Run("https://x.test/", [Outcome(check, failed("e" * 200))], 1, 150, 0.1)

    line = table(run, width=60).splitlines()[2]
    assert len(line) == 60
    assert line.endswith("...")
    assert "e" * 200 in table(run)


@pytest.mark.parametrize("body", [b"<p>Welcome</p>", b'{"detail": "Welcome."}'])
def test_login_answer_without_a_token_exits_2(
    capsys: pytest.CaptureFixture[str], body: bytes
) -> None:
    def app(request: Request) -> Reply:
        return Reply(200, {"Content-Type": "text/html"}, body)

    with serve(app) as api:
        err = error_of(
            capsys, "probe", api.url, "--login-url", "/login/", "--username", "u",
            "--password", "p",
        )  # fmt: skip
    assert "logging in at /login/ as 'u' failed: 200" in err


def test_missing_httpx_in_process_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "httpx" else real(name, *a)
    )

    assert "pip install 'drf-hardening[probe]'" in error_of(capsys, "probe", "https://x.test/")


def test_tls_details_of_a_plain_response_are_none() -> None:
    import httpx

    from drf_hardening.probe.http import tls_details

    assert tls_details(httpx.Response(200)) is None
