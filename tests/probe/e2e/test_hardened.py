"""The probe against the hardened example behind the documented nginx: everything passes.

Each run's requests are counted twice: by the probe (``requests.sent``) and by
nginx's access log, one line per request on either port. They must agree, and
stay within ``--max-requests``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from drf_hardening.probe.cli import DEFAULT_MAX_REQUESTS
from tests.e2e.components import ROOT, wait_until
from tests.probe.e2e.conftest import Stack, full_probe_args
from tests.probe.reports import documented_statuses, run_probe
from tests.services import RedisServer, free_port


def counted_by_nginx(stack: Stack, before: int, sent: int) -> int:
    # nginx writes the log line once the response is sent: the client can be a moment ahead.
    wait_until(lambda: stack.nginx.request_count() - before >= sent, 30, "requests not logged")
    return stack.nginx.request_count() - before


def test_hardened_stack_every_check_passes(
    hardened: Stack, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    before = hardened.nginx.request_count()

    report = run_probe(hardened.url(), *full_probe_args(hardened, front_end, task_template))

    assert report.with_status("FAIL") == set(), report.document
    # Every option was given: no check had a reason to skip.
    assert report.with_status("SKIP") == set(), report.document
    assert report.exit_code == 0
    assert report.sent <= DEFAULT_MAX_REQUESTS
    assert counted_by_nginx(hardened, before, report.sent) == report.sent
    # docs/probe.md shows this report next to the tutorial project's.
    assert documented_statuses()["hardened"] == report.statuses


def test_hardened_stack_rate_limit_exactly_when_advertised(
    hardened: Stack, fresh_quotas: RedisServer
) -> None:
    report = run_probe(
        hardened.url(), "--token", hardened.token, "--cafile", str(hardened.nginx.ca_file),
        "--only", "rate.limit",
    )  # fmt: skip

    assert report.statuses == {"rate.limit": "PASS"}
    # The tasks scope (50/day): the probe's first GET (is the URL up?) leaves 49, the
    # check's own GET 48; 48 more are allowed, and the next one is the 429.
    assert report.evidence("rate.limit").endswith('after the 48 requests "tasks" advertised')
    assert report.sent == 51


def test_request_cap_holds_and_skips_what_it_cuts(
    hardened: Stack, fresh_quotas: RedisServer, front_end: str, task_template: Path
) -> None:
    before = hardened.nginx.request_count()

    report = run_probe(
        hardened.url(),
        *full_probe_args(hardened, front_end, task_template, "--max-requests", "12"),
    )

    assert report.sent == 12
    assert counted_by_nginx(hardened, before, 12) == 12
    cut = {c["id"] for c in report.document["checks"] if "request budget" in c["evidence"]}
    assert {"errors.shape", "rate.limit", "rate.login"} <= cut
    assert cut <= report.with_status("SKIP")
    assert report.exit_code == 0


def test_unknown_certificate_fails_tls_and_skips_the_rest(
    hardened: Stack, fresh_quotas: RedisServer
) -> None:
    report = run_probe(hardened.url(), "--token", hardened.token)

    assert report.statuses["transport.tls"] == "FAIL"
    assert "CERTIFICATE_VERIFY_FAILED" in report.evidence("transport.tls")
    assert report.with_status("SKIP") == set(report.statuses) - {"transport.tls"}
    assert report.exit_code == 1


def test_insecure_skips_only_the_certificate_check(
    hardened: Stack, fresh_quotas: RedisServer
) -> None:
    report = run_probe(
        hardened.url(), "--token", hardened.token, "--insecure", "--only", "transport,headers"
    )

    assert report.statuses["transport.tls"] == "SKIP"
    assert report.with_status("FAIL") == set()
    assert report.statuses["headers.csp"] == "PASS"


def test_python_m_drf_hardening_probe_prints_the_table(
    hardened: Stack, fresh_quotas: RedisServer
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drf_hardening", "probe", hardened.url(),
         "--token", hardened.token, "--cafile", str(hardened.nginx.ca_file), "--only", "headers"],
        capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"drf-hardening probe {hardened.url()}"
    assert any(line.split()[:2] == ["headers.csp", "PASS"] for line in lines)
    assert lines[-1].startswith(f"5 passed, 0 failed, 0 skipped; 1 of {DEFAULT_MAX_REQUESTS} ")


def test_unreachable_plain_http_port_skips_the_redirect_check(hardened: Stack) -> None:
    report = run_probe(
        hardened.url(), "--cafile", str(hardened.nginx.ca_file),
        "--http-url", f"http://127.0.0.1:{free_port()}/", "--only", "transport.https-redirect",
    )  # fmt: skip

    assert report.statuses == {"transport.https-redirect": "SKIP"}
    assert "nothing answers at http://127.0.0.1:" in report.evidence("transport.https-redirect")
