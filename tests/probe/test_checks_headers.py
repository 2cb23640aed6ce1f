"""Transport, header and Host checks on answers the tests write (tests/probe/fake_api.py)."""

from __future__ import annotations

import pytest

from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve
from tests.probe.reports import run_probe
from tests.services import free_port


def answering(**headers: str) -> Reply:
    """The good headers, with ``headers`` (``X_Frame_Options=...``; ``""`` drops one) over them."""
    merged = {**GOOD_HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return Reply.json(200, {}, **{k: v for k, v in merged.items() if v})


def probe_with(only: str, *args: str, **headers: str) -> tuple[dict[str, str], dict[str, str]]:
    with serve(lambda request: answering(**headers)) as api:
        report = run_probe(api.url, "--only", only, *args)
    evidence = {c["id"]: c["evidence"] for c in report.document["checks"]}
    return report.statuses, evidence


def test_plain_http_url_fails_tls_hsts_and_redirect() -> None:
    statuses, evidence = probe_with("transport", "--http-url", f"http://127.0.0.1:{free_port()}/")

    assert statuses["transport.tls"] == "FAIL"
    assert "plain HTTP" in evidence["transport.tls"]
    assert statuses["transport.hsts"] == "FAIL"
    assert statuses["transport.https-redirect"] == "FAIL"


@pytest.mark.parametrize(
    ("server", "verdict"),
    [("nginx/1.22.1", "FAIL"), ("nginx", "PASS"), ("", "PASS")],
)
def test_server_header_version_leak(server: str, verdict: str) -> None:
    statuses, _ = probe_with("transport.server-version", Server=server)

    assert statuses["transport.server-version"] == verdict


def test_x_powered_by_version_leak_fails() -> None:
    statuses, evidence = probe_with("transport.server-version", X_Powered_By="PHP/8.2.1")

    assert statuses["transport.server-version"] == "FAIL"
    assert "X-Powered-By: PHP/8.2.1" in evidence["transport.server-version"]


def test_missing_headers_each_fail() -> None:
    statuses, evidence = probe_with(
        "headers",
        X_Content_Type_Options="",
        X_Frame_Options="",
        Referrer_Policy="",
        Cross_Origin_Opener_Policy="",
        Content_Security_Policy="",
    )

    assert set(statuses.values()) == {"FAIL"}
    assert evidence["headers.csp"] == "no Content-Security-Policy on the application/json response"


def test_csp_without_default_src_none_fails() -> None:
    statuses, _ = probe_with("headers.csp", Content_Security_Policy="default-src 'self'")

    assert statuses["headers.csp"] == "FAIL"


def test_frame_ancestors_stands_in_for_x_frame_options() -> None:
    statuses, _ = probe_with("headers.framing", X_Frame_Options="")

    assert statuses["headers.framing"] == "PASS"


@pytest.mark.parametrize("policy", ["unsafe-url", "no-referrer, no-referrer-when-downgrade"])
def test_leaky_referrer_policy_fails(policy: str) -> None:
    statuses, _ = probe_with("headers.referrer-policy", Referrer_Policy=policy)

    assert statuses["headers.referrer-policy"] == "FAIL"


def test_coop_unsafe_none_fails() -> None:
    statuses, _ = probe_with("headers.coop", Cross_Origin_Opener_Policy="unsafe-none")

    assert statuses["headers.coop"] == "FAIL"


def test_foreign_host_served_fails() -> None:
    statuses, evidence = probe_with("host")

    assert statuses["host.foreign"] == "FAIL"
    assert evidence["host.foreign"].endswith("was served: 200 application/json {}")


def test_foreign_host_refused_passes() -> None:
    def app(request: Request) -> Reply:
        if not request.headers["host"].startswith("127.0.0.1"):
            return Reply.json(400, {"error": "bad host"})
        return answering()

    with serve(app) as api:
        report = run_probe(api.url, "--only", "host")

    assert report.statuses["host.foreign"] == "PASS"
    assert api.received[-1].headers["host"].endswith(".invalid")
