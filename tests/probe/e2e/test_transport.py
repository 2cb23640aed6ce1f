"""Transport checks over real TLS (a trustme certificate) on answers the tests write.

Here rather than beside the other fake-API tests because trustme comes with the
``example`` dependency group, which the environments that run tests/probe/e2e install.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve
from tests.probe.reports import Report, run_probe


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    import trustme

    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    cafile = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return context, cafile


def probe_tls(tls: tuple[ssl.SSLContext, Path], only: str, **headers: str) -> Report:
    context, cafile = tls
    merged = {**GOOD_HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}

    def app(request: Request) -> Reply:
        return Reply.json(200, {}, **{k: v for k, v in merged.items() if v})

    with serve(app, tls=context) as https, serve(app) as plain:
        return run_probe(
            https.url, "--cafile", str(cafile), "--http-url", plain.url, "--only", only
        )


HSTS = "Strict_Transport_Security"


def test_verified_certificate_passes_with_its_details(tls: tuple[ssl.SSLContext, Path]) -> None:
    report = probe_tls(tls, "transport.tls")

    assert report.statuses == {"transport.tls": "PASS"}
    assert "certificate for 127.0.0.1 until" in report.evidence("transport.tls")


@pytest.mark.parametrize(
    ("value", "verdict", "why"),
    [
        ("max-age=31536000; includeSubDomains", "PASS", "Strict-Transport-Security: max-age"),
        ("max-age=86400; includeSubDomains", "FAIL", "max-age under one year"),
        ("max-age=63072000", "FAIL", "no includeSubDomains"),
        ("", "FAIL", "no Strict-Transport-Security header"),
    ],
)
def test_hsts(tls: tuple[ssl.SSLContext, Path], value: str, verdict: str, why: str) -> None:
    report = probe_tls(tls, "transport.hsts", **{HSTS: value})

    assert report.statuses == {"transport.hsts": verdict}
    assert why in report.evidence("transport.hsts")


def test_plain_http_served_instead_of_redirected_fails(tls: tuple[ssl.SSLContext, Path]) -> None:
    report = probe_tls(tls, "transport.https-redirect")

    assert report.statuses == {"transport.https-redirect": "FAIL"}
    assert report.evidence("transport.https-redirect").endswith(
        "answered 200, not a redirect to https://"
    )
