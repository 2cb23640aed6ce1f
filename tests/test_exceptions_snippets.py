"""The responses shown in docs/errors.md are real: each snippet is compared with a live response.

Rewrite them after a deliberate change with::

    DRF_HARDENING_UPDATE_SNIPPETS=1 .venv/bin/pytest tests/test_exceptions_snippets.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import rest_framework
from django.test import Client

from drf_hardening import names
from tests.helpers import ERROR_FORMATS
from tests.urls_errors import ORDER

DRF_VERSION = tuple(int(part) for part in rest_framework.VERSION.split(".")[:2])
SNIPPETS = Path(__file__).resolve().parent.parent / "docs" / "snippets"
REQUEST_ID = "7d3f9a2b4c1e4f0a9b8c6d5e4f3a2b1c"
SHOWN_HEADERS = ("Content-Type", "WWW-Authenticate", "Retry-After", "X-Request-ID")

#: name -> (method, path, body, extra request headers)
CASES: dict[str, tuple[str, str, Any, dict[str, str]]] = {
    "400": ("POST", "/api/validate/", ORDER, {}),
    "401": ("GET", "/api/token/", None, {"Authorization": "Token abc123secret"}),
    "404": ("GET", "/no/such/page/", None, {}),
    "429": ("GET", "/api/throttled/", None, {}),
    "500": ("GET", "/api/boom/", None, {}),
}


def transcript(method: str, path: str, body: Any, headers: dict[str, str], response: Any) -> str:
    request_headers = {**headers, "X-Request-ID": REQUEST_ID}
    if body is not None:
        request_headers["Content-Type"] = "application/json"
    lines = [f"{method} {path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in request_headers.items()]
    if body is not None:
        lines += ["", json.dumps(body)]
    lines += ["", f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    lines += [f"{name}: {response[name]}" for name in SHOWN_HEADERS if response.has_header(name)]
    lines += ["", json.dumps(response.json(), indent=2), ""]
    return "\n".join(lines)


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
def test_docs_snippet_is_the_real_response(settings: Any, error_format: str, case: str) -> None:
    if error_format == "drf" and case == "400" and DRF_VERSION < (3, 18):
        pytest.skip("DRF < 3.18 sends many=True errors as a list; the docs show DRF 3.18's dict")
    settings.REST_FRAMEWORK = {
        "NUM_PROXIES": 0,
        "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
    }
    settings.MIDDLEWARE = [names.REQUEST_ID_MIDDLEWARE]
    method, path, body, headers = CASES[case]
    client = Client(raise_request_exception=False)
    environ: dict[str, Any] = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    environ["HTTP_X_REQUEST_ID"] = REQUEST_ID
    if method == "POST":
        response = client.post(path, body, content_type="application/json", **environ)
    else:
        response = client.get(path, **environ)

    text = transcript(method, path, body, headers, response)
    snippet = SNIPPETS / f"errors-{error_format}-{case}.http"
    if os.environ.get("DRF_HARDENING_UPDATE_SNIPPETS") == "1":  # pragma: no cover - by hand
        snippet.write_text(text, encoding="utf-8")
    assert snippet.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("error_format", ERROR_FORMATS)
def test_docs_page_includes_every_snippet(error_format: str) -> None:
    page = (SNIPPETS.parent / "errors.md").read_text(encoding="utf-8")

    for case in CASES:
        # Inline, marked by its file (tests/test_docs_snippets.py holds the copy equal).
        assert f"<!-- snippet: docs/snippets/errors-{error_format}-{case}.http -->" in page
