"""HTTPS behind a real TLS-terminating proxy: nginx in front of gunicorn, one trusted hop.

nginx forwards both its plain-HTTP and its HTTPS port to the application and
overwrites X-Forwarded-For and X-Forwarded-Proto, so what is proven here is
the production preset's part: the redirect, HSTS, the headers, the host check
and the client address the throttles count.
"""

from __future__ import annotations

import json
import uuid

from tests.e2e.conftest import E2E_MARKS, Stack
from tests.e2e.load import request
from tests.e2e.paths import TASKS

pytestmark = E2E_MARKS


def test_plain_http_redirected_to_https(stack: Stack) -> None:
    response = request(f"{stack.nginx.http_url}{TASKS}?page=2", headers=stack.auth())

    assert response.status == 301
    # nginx passes Host without its port ($host): in production both are the defaults.
    assert response.headers["location"] == f"https://127.0.0.1{TASKS}?page=2"


def test_plain_http_spoofed_forwarded_proto_still_redirected(stack: Stack) -> None:
    headers = {**stack.auth(), "X-Forwarded-Proto": "https"}

    response = request(f"{stack.nginx.http_url}{TASKS}", headers=headers)

    assert response.status == 301


def test_https_spoofed_forwarded_proto_not_redirected(stack: Stack) -> None:
    headers = {**stack.auth(), "X-Forwarded-Proto": "http"}

    response = request(
        f"{stack.nginx.https_url}{TASKS}", headers=headers, context=stack.nginx.ssl_context()
    )

    assert response.status == 200


def test_https_response_hsts_and_security_headers(stack: Stack) -> None:
    response = request(
        f"{stack.nginx.https_url}{TASKS}", headers=stack.auth(), context=stack.nginx.ssl_context()
    )

    assert response.status == 200
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"
    assert (
        response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    )


def test_plain_http_redirect_has_no_hsts(stack: Stack) -> None:
    # Browsers ignore HSTS over plain HTTP; sending it there would be a misconfiguration.
    response = request(f"{stack.nginx.http_url}{TASKS}", headers=stack.auth())

    assert response.status == 301
    assert "strict-transport-security" not in response.headers


def test_host_outside_allowed_hosts_rejected(stack: Stack) -> None:
    headers = {**stack.auth(), "Host": "evil.example"}

    response = request(
        f"{stack.nginx.https_url}{TASKS}", headers=headers, context=stack.nginx.ssl_context()
    )

    assert response.status == 400
    assert response.headers["content-type"] == "application/json"
    # The library's error envelope (handler400), not Django's HTML page.
    assert json.loads(response.body)["error"]["code"] == "bad_request"


def test_spoofed_forwarded_headers_replaced_by_proxy(stack: Stack) -> None:
    marker = uuid.uuid4().hex
    headers = {**stack.auth(), "X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}

    request(f"{stack.nginx.http_url}{TASKS}?{marker}", headers=headers)

    (entry,) = stack.gunicorn.entries_for(marker, 1)
    assert (entry.forwarded_for, entry.forwarded_proto) == ("127.0.0.1", "http")
