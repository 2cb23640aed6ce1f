"""Real request/response pairs of the example project, for docs/walkthrough.md.

``test_walkthrough.py`` captures each one and compares it with
``docs/snippets/example-<name>.txt``; ``DRF_HARDENING_UPDATE_SNIPPETS=1``
rewrites the files instead. Values that change on every run (tokens, dates,
ids, seconds left) are masked before comparing, never in the files.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path
from typing import Any

SNIPPETS = Path(__file__).resolve().parents[2] / "docs" / "snippets"
UPDATE = os.environ.get("DRF_HARDENING_UPDATE_SNIPPETS") == "1"

#: Response headers worth showing, in this order; the others are left out.
SHOWN_HEADERS = [
    "Location",
    "Content-Type",
    "WWW-Authenticate",
    "Retry-After",
    "RateLimit-Policy",
    "RateLimit",
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Vary",
    "Strict-Transport-Security",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Cache-Control",
    "X-Request-ID",
]

MASKS = [
    (re.compile(r"\b[0-9a-f]{40}\b"), "<token>"),
    (re.compile(r"\bdrfh_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}\b"), "<token>"),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z?"), "<timestamp>"),
    (re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+", re.M), "<timestamp>"),
    (re.compile(r"(Retry-After: |;t=|\"id\": |/api/tasks/|available in )\d+"), r"\1<n>"),
]


def mask(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def render_request(method: str, path: str, headers: dict[str, str], body: Any = None) -> str:
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if body is not None:
        lines += ["", body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)]
    return "\n".join(lines)


def render_response(response: Any) -> str:
    lines = [f"HTTP/1.1 {response.status_code} {response.reason_phrase}"]
    lines += [f"{name}: {response[name]}" for name in SHOWN_HEADERS if response.has_header(name)]
    content = response.content.decode()
    if content:
        with contextlib.suppress(ValueError):  # JSON is shown indented, the rest as it is
            content = json.dumps(json.loads(content), indent=2, ensure_ascii=False)
        lines += ["", content]
    return "\n".join(lines)


def exchange(
    client: Any,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> str:
    """Send one request with Django's test client; return it and its response as text."""
    headers = dict(headers or {})
    kwargs: dict[str, Any] = {}
    if body is not None:
        headers["Content-Type"] = "application/json"
        kwargs.update(
            data=body if isinstance(body, str) else json.dumps(body),
            content_type="application/json",
        )
    sent = {k: v for k, v in headers.items() if k != "Content-Type"}
    response = getattr(client, method.lower())(path, headers=sent, **kwargs)
    return render_request(method, path, headers, body) + "\n\n" + render_response(response)


def check_snippet(name: str, text: str, directory: Path = SNIPPETS, update: bool = UPDATE) -> None:
    """Assert that ``directory/example-<name>.txt`` holds ``text`` once masked; with
    ``update``, write it first."""
    path = directory / f"example-{name}.txt"
    text = text.rstrip("\n") + "\n"
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing: run with DRF_HARDENING_UPDATE_SNIPPETS=1"
    assert mask(path.read_text(encoding="utf-8")) == mask(text), (
        f"{path} no longer matches the API: check the change, then rerun with "
        "DRF_HARDENING_UPDATE_SNIPPETS=1"
    )
