"""Input: invisible and direction-changing characters in a text field are refused.

Only with ``--post-json`` (a template of a valid create request) and a token.
The template is sent once as it is, to prove it is accepted (so a later 400 is
about the character, not the template), then with U+202E and U+200B appended
to its first text field. Whatever is created is deleted at once.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import describe, json_body
from drf_hardening.probe.model import Check, Result, failed, passed, skipped

BIDI_OVERRIDE = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "txt.exe" shows as "exe.txt"
ZERO_WIDTH = "\u200b"  # ZERO WIDTH SPACE: "admin" and "ad\u200bmin" look alike


def text_field(template: Mapping[str, Any]) -> str | None:
    return next((str(key) for key, value in template.items() if isinstance(value, str)), None)


def field_message(body: Any, field: str) -> str | None:
    """The first message about ``field`` in an error body, whatever its shape.

    Under the field's key (DRF's ``{"title": [...]}``, the envelope's
    ``fields``), or in an RFC 9457 ``errors`` entry whose ``pointer`` is ``#/title``.
    """
    texts: list[str] = []

    def walk(node: Any, about: bool) -> None:
        if isinstance(node, str) and about:
            texts.append(node)
        elif isinstance(node, dict):
            about = about or node.get("pointer") == f"#/{field}"
            for key, value in node.items():
                if key not in ("code", "pointer"):  # names, not messages
                    walk(value, about or key == field)
        elif isinstance(node, list):
            for item in node:
                walk(item, about)

    walk(body, False)
    return texts[0] if texts else None


def created_url(ctx: Context, response: httpx.Response) -> str | None:
    """Where the created object lives: ``Location``, the body's ``url``, or ``<URL><id>/``."""
    if "location" in response.headers:
        return ctx.resolve(response.headers["location"])
    found = json_body(response)
    body: dict[str, Any] = found if isinstance(found, dict) else {}
    if isinstance(body.get("url"), str):
        return ctx.resolve(body["url"])
    if isinstance(body.get("id"), (int, str)):
        return ctx.sibling(str(body["id"]))
    return None


def post(ctx: Context, data: Any) -> tuple[httpx.Response, str]:
    """POST ``data``; delete what it created. Returns the answer and a cleanup note."""
    response = ctx.send(
        "POST",
        headers={"Content-Type": "application/json"},
        content=json.dumps(data).encode(),
    )
    if not response.is_success:
        return response, ""
    url = created_url(ctx, response)
    if url is None:
        return response, "; created an object the probe cannot find to delete"
    deleted = ctx.send("DELETE", url)
    if deleted.is_success or deleted.status_code == 404:
        return response, f"; deleted {url}"
    return response, f"; could not delete {url}: {deleted.status_code}"


def template_accepted(ctx: Context) -> str | Result:
    """The field to change, or why the check cannot run."""
    template = ctx.options.post_json
    if template is None:
        return skipped("no --post-json template given")
    if not ctx.token:
        return skipped("--post-json needs --token (or a login)")
    field = text_field(template)
    if field is None:
        return skipped("the --post-json template has no text field")
    response, _ = ctx.once("post template", lambda: post(ctx, template))
    if not response.is_success:
        return skipped(f"the --post-json template itself was refused: {describe(response)}")
    return field


def refused(character: str, name: str) -> Any:
    def run(ctx: Context) -> Result:
        field = template_accepted(ctx)
        if isinstance(field, Result):
            return field
        assert ctx.options.post_json is not None
        data = dict(ctx.options.post_json)
        data[field] = f"{data[field]}{character}"
        response, note = post(ctx, data)
        if response.status_code == 400:
            message = field_message(json_body(response), field)
            shown = f"400 {message}" if message else describe(response, 60)
            return passed(f"{field!r} with {name}: {shown}")
        return failed(f"{field!r} with {name} was accepted: {response.status_code}{note}")

    return run


CHECKS = (
    Check("input.bidi", "A bidi override is refused", refused(BIDI_OVERRIDE, "U+202E")),
    Check("input.zero-width", "A zero-width space is refused", refused(ZERO_WIDTH, "U+200B")),
)
