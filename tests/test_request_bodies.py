"""Request bodies under JSON-only parsers: 413 for a body over the cap, 415, and generic 400s."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import Client
from rest_framework.exceptions import ParseError

from drf_hardening.parsers import MALFORMED, JSONParser

pytestmark = pytest.mark.urls("tests.urls_input")

HANDLER = "drf_hardening.exceptions.exception_handler"
PARSER = "drf_hardening.parsers.JSONParser"


@pytest.fixture
def json_only(settings: Any) -> Any:
    """What the presets set: JSON in, JSON out, the library's exception handler."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PARSER_CLASSES": [PARSER],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "EXCEPTION_HANDLER": HANDLER,
    }
    return settings


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"]["status"] == status
    error: dict[str, Any] = body["error"]
    return error


def test_valid_json_reaches_the_view(client: Client, json_only: Any) -> None:
    response = client.post("/echo/", {"title": "ok", "n": [1, 2]}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"received": {"title": "ok", "n": [1, 2]}}


def test_body_over_the_cap_is_413_json(client: Client, json_only: Any) -> None:
    body = json.dumps({"title": "a" * 5 * 1024 * 1024})  # 5 MB, over Django's 2.5 MB default
    response = client.post("/echo/", body, content_type="application/json")
    error = error_of(response, 413)
    assert error["code"] == "request_too_large"
    assert len(response.content) < 1000


def test_body_cap_follows_django_setting(client: Client, json_only: Any) -> None:
    json_only.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    small = client.post("/echo/", {"t": "a" * 80}, content_type="application/json")
    assert small.status_code == 200
    error_of(client.post("/echo/", {"t": "a" * 120}, content_type="application/json"), 413)


def test_text_plain_is_415(client: Client, json_only: Any) -> None:
    response = client.post("/echo/", "title=hello", content_type="text/plain")
    assert error_of(response, 415)["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_form_bodies_are_415_with_json_only_parsers(
    client: Client, json_only: Any, content_type: str
) -> None:
    response = client.post("/echo/", "title=hello", content_type=content_type)
    error_of(response, 415)


MALFORMED_BODIES = [
    pytest.param(b'{"title": tru', id="truncated"),
    pytest.param(b'{"title": "x", <script>alert(1)</script>}', id="markup in body"),
    pytest.param(b"[" * 100_000, id="nesting bomb"),
    pytest.param(b'{"title": "ok", "title": "\\u202e"}', id="duplicate key"),
    pytest.param(b'{"n": NaN}', id="NaN"),
    pytest.param(b'{"title": "\xff\xfe"}', id="invalid UTF-8"),
]


@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_malformed_json_is_400_without_parser_message(
    client: Client, json_only: Any, body: bytes
) -> None:
    response = client.post("/echo/", body, content_type="application/json")
    error = error_of(response, 400)
    text = response.content.decode()
    assert "Expecting" not in text
    assert "line 1" not in text
    assert "script" not in text
    assert error["fields"] == {}


@pytest.mark.parametrize("body", MALFORMED_BODIES)
def test_parser_message_is_generic_even_with_drf_handler(
    client: Client, settings: Any, body: bytes
) -> None:
    # Without the library's handler, DRF's own handler shows the parser's message.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_PARSER_CLASSES": [PARSER]}
    response = client.post("/echo/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": str(MALFORMED)}


def test_drf_json_parser_leaks_its_message(client: Client, settings: Any) -> None:
    # Why drf_hardening.parsers exists (measured on DRF 3.16-3.18).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    }
    response = client.post("/echo/", b'{"title": tru', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error - Expecting" in response.json()["detail"]


# --- unit level: the parser on its own


def test_parser_caps_a_raw_stream(settings: Any) -> None:
    # DRF 3.16 passes the request stream itself, unchecked by Django: the parser caps it.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    with pytest.raises(RequestDataTooBig):
        JSONParser().parse(io.BytesIO(b'{"title": "0123456789"}'))
    assert JSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}


def test_parser_without_cap_reads_everything(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    body = json.dumps({"t": "a" * 3_000_000}).encode()
    assert len(JSONParser().parse(io.BytesIO(body))["t"]) == 3_000_000


def test_parser_accepts_any_json_value_and_nan_when_not_strict(settings: Any) -> None:
    assert JSONParser().parse(io.BytesIO(b"[1, null]")) == [1, None]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "STRICT_JSON": False}
    value = JSONParser().parse(io.BytesIO(b'{"n": NaN}'))
    assert math.isnan(value["n"])


def test_parser_uses_the_request_encoding() -> None:
    body = '{"t": "é"}'.encode("utf-16")
    assert JSONParser().parse(io.BytesIO(body), parser_context={"encoding": "utf-16"}) == {"t": "é"}
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(b"{}"), parser_context={"encoding": "no-such-codec"})
