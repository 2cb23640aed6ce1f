"""Errors: each bad request gets its status, as JSON in one shape, with a request id, no leak.

Six requests, each sent with the token so that authentication does not answer
first: an unknown URL, an unknown method, an ``Accept`` nothing satisfies, a
body one byte over the cap, a body in a media type the API does not parse, and
malformed JSON. None of them can create anything: the one JSON body that parses
is an empty list, which no create endpoint accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import describe, is_json, json_body
from drf_hardening.probe.model import Check, Result, failed, passed, skipped

#: What an error body must never contain, with what it gives away.
LEAKS = (
    (re.compile(r"Traceback \(most recent call last\)"), "a Python traceback"),
    (re.compile(r"File \"[^\"]+\", line \d+"), "a stack frame"),
    (re.compile(r"(?:/[\w.@+-]+)+\.py\b"), "a source file path"),
    (re.compile(r"site-packages|dist-packages"), "an installation path"),
    (re.compile(r"DEBUG\s*=\s*True|technical_500|Django tried these URL patterns"), "DEBUG"),
    (re.compile(r"URLconf defined in|ROOT_URLCONF|DJANGO_SETTINGS_MODULE"), "the settings"),
    (re.compile(r"SECRET_KEY|DATABASES|INSTALLED_APPS"), "the settings"),
    (re.compile(r"\b(?:SELECT|INSERT INTO|UPDATE)\b.+\b(?:FROM|WHERE|SET|VALUES)\b", re.S), "SQL"),
    (re.compile(r"IntegrityError|OperationalError|ProgrammingError|psycopg|sqlite3"), "the DB"),
    (re.compile(r"Exception (?:Type|Value)|Request Method:.*Request URL:", re.S), "a debug page"),
    # Python's json module's own message: names the parser and points into the input.
    (re.compile(r"Expecting (?:value|property name)|line \d+ column \d+ \(char"), "the parser"),
)
#: Header names that carry a request id, lower case.
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid")
UNSAFE_METHOD = "DRFHPROBE"  # no API routes it, so no handler can run


def _requests(ctx: Context) -> dict[str, Callable[[], httpx.Response]]:
    json_type = {"Content-Type": "application/json"}
    limit = ctx.options.body_limit
    return {
        "404": lambda: ctx.send("GET", ctx.unknown(f"drfh-probe-{ctx.nonce}")),
        "405": lambda: ctx.send(UNSAFE_METHOD),
        "406": lambda: ctx.send("GET", headers={"Accept": "application/x-drfh-probe"}),
        "413": lambda: ctx.send(
            "POST", headers=json_type, content=b"[" + b" " * (limit - 1) + b"]"
        ),
        "415": lambda: ctx.send("POST", headers={"Content-Type": "text/plain"}, content=b"probe"),
        "400": lambda: ctx.send("POST", headers=json_type, content=b'{"drfh-probe": '),
    }


STATUSES = ("404", "405", "406", "413", "415", "400")


def error(ctx: Context, status: str) -> httpx.Response:
    return ctx.once(f"error {status}", _requests(ctx)[status])


def errors_sent(ctx: Context) -> list[httpx.Response]:
    """The error responses, sending the ones no check has asked for yet."""
    return [error(ctx, status) for status in STATUSES]


def status_check(status: str, what: str) -> Callable[[Context], Result]:
    def run(ctx: Context) -> Result:
        response = error(ctx, status)
        if response.status_code in (401, 403) and not ctx.token and status != "404":
            return skipped(f"{what}: answered {response.status_code} first; --token gets past it")
        if str(response.status_code) != status:
            return failed(f"{what}: {describe(response)}")
        if not is_json(response) or not isinstance(json_body(response), dict):
            return failed(f"{what}: not a JSON object: {describe(response)}")
        return passed(f"{what}: {describe(response)}")

    return run


def shape(body: Any) -> str:
    """``error{code,fields,message,request_id,status}``: the keys, two levels deep."""
    if not isinstance(body, dict):
        return "not a JSON object"
    keys = []
    for key in sorted(body):
        value = body[key]
        keys.append(f"{key}{{{','.join(sorted(value))}}}" if isinstance(value, dict) else key)
    return ",".join(keys)


def one_shape(ctx: Context) -> Result:
    shapes: dict[str, list[str]] = {}
    for status, response in zip(STATUSES, errors_sent(ctx), strict=True):
        body = json_body(response) if is_json(response) else None
        shapes.setdefault(shape(body), []).append(status)
    if len(shapes) == 1:
        return passed(f"{len(STATUSES)} errors, one shape: {next(iter(shapes))}")
    groups = "; ".join(f"{'/'.join(codes)}: {found}" for found, codes in shapes.items())
    return failed(f"{len(shapes)} shapes: {groups}")


def request_id(ctx: Context) -> Result:
    for status, response in zip(STATUSES, errors_sent(ctx), strict=True):
        names = [name for name in REQUEST_ID_HEADERS if name in response.headers]
        if not names:
            return failed(f"the {status} has no request id header (X-Request-ID)")
        value = response.headers[names[0]]
        if value not in response.text:
            return failed(f"the {status} body does not carry its {names[0]} {value}")
    return passed(f"{len(STATUSES)} errors carry their request id in header and body")


def no_leak(ctx: Context) -> Result:
    responses = list(zip(STATUSES, errors_sent(ctx), strict=True))
    if ctx.cached("host") is not None:
        responses.append(("Host", ctx.cached("host")))
    for status, response in responses:
        for pattern, what in LEAKS:
            match = pattern.search(response.text)
            if match:
                found = " ".join(match[0].split())[:60]
                return failed(f"the {status} answer shows {what}: {found!r}")
    return passed(f"{len(responses)} error bodies: no traceback, path, SQL or settings")


CHECKS = (
    Check("errors.404", "Unknown URL: a JSON 404", status_check("404", "unknown URL")),
    Check("errors.405", "Unknown method: a JSON 405", status_check("405", UNSAFE_METHOD)),
    Check("errors.406", "Unsatisfiable Accept: a JSON 406", status_check("406", "Accept")),
    Check("errors.413", "Body over the cap: a JSON 413", status_check("413", "cap + 1 byte")),
    Check("errors.415", "Unparsed media type: a JSON 415", status_check("415", "text/plain")),
    Check("errors.400", "Malformed JSON: a JSON 400", status_check("400", "malformed JSON")),
    Check("errors.shape", "Every error in one shape", one_shape),
    Check("errors.request-id", "A request id in every error, header and body", request_id),
    Check("errors.no-leak", "No traceback, path, SQL or settings in errors", no_leak),
)
