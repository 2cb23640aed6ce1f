"""The login URL: unknown user and wrong password answer alike, and guessing is throttled.

At most ``MAX_FAILED_LOGINS`` wrong credentials are sent per run: well under a
failed-authentication guard's rate (drf-hardening's default is 10 a minute per
client), so the probe never locks itself out.
"""

from __future__ import annotations

import json
import re
import secrets

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import describe
from drf_hardening.probe.model import Check, Result, failed, passed, skipped
from drf_hardening.probe.ratelimit import policy_text, remaining

MAX_FAILED_LOGINS = 4
UUID = re.compile(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b")
#: Headers whose values differ between any two responses.
VOLATILE_HEADERS = {"date", "x-request-id", "ratelimit", "content-length", "retry-after"}


def attempt(ctx: Context, username: str) -> httpx.Response:
    assert ctx.options.login_url is not None
    body = {"username": username, "password": f"drfh-probe-{secrets.token_hex(8)}"}
    return ctx.send(
        "POST",
        ctx.resolve(ctx.options.login_url),
        headers={"Content-Type": "application/json"},
        content=json.dumps(body).encode(),
        authenticated=False,
    )


def unknown_user(ctx: Context) -> str:
    return f"drfh-probe-{ctx.nonce}-{secrets.token_hex(3)}"


def first_attempts(ctx: Context) -> list[httpx.Response]:
    """An unknown user, then ``--username`` with a wrong password (when given)."""

    def send() -> list[httpx.Response]:
        answers = [attempt(ctx, unknown_user(ctx))]
        if ctx.options.username:
            answers.append(attempt(ctx, ctx.options.username))
        return answers

    return ctx.once("login attempts", send)


def comparable(response: httpx.Response) -> tuple[int, str, tuple[str, ...]]:
    """Status, body with its request id masked, and the header names that are not volatile."""
    text = response.text
    request_id = response.headers.get("x-request-id")
    text = text.replace(request_id, "<request id>") if request_id else text
    # Other per-request values: UUIDs and long hex ids anywhere in the body.
    text = UUID.sub("<id>", text)
    names = tuple(sorted(n for n in response.headers if n.lower() not in VOLATILE_HEADERS))
    return response.status_code, text, names


def identical(ctx: Context) -> Result:
    if not ctx.options.login_url:
        return skipped("no --login-url given")
    if not ctx.options.username:
        return skipped("no --username given: no known user to compare with")
    unknown, wrong = first_attempts(ctx)
    if 429 in (unknown.status_code, wrong.status_code):
        return skipped("the login answered 429 before the comparison: run again after its window")
    a, b = comparable(unknown), comparable(wrong)
    if a == b:
        return passed(f"unknown user and wrong password: both {describe(unknown, 60)}")
    what = "status" if a[0] != b[0] else "body" if a[1] != b[1] else "headers"
    return failed(
        f"the {what} differs: unknown user {describe(unknown, 50)}; "
        f"wrong password {describe(wrong, 50)}"
    )


def throttled(ctx: Context) -> Result:
    if not ctx.options.login_url:
        return skipped("no --login-url given")
    answers = list(first_attempts(ctx))
    while True:
        for number, response in enumerate(answers, start=1):
            if response.status_code == 429:
                after = response.headers.get("retry-after", "none")
                return passed(f"429 (Retry-After: {after}) on failed login {number}")
            if remaining(response):
                return passed(f"throttled: {policy_text(response)}")
        if len(answers) >= MAX_FAILED_LOGINS:
            break
        answers.append(attempt(ctx, unknown_user(ctx)))
    return failed(
        f"{len(answers)} failed logins in a row answered {answers[-1].status_code}: "
        "no 429 and no RateLimit header"
    )


CHECKS = (
    Check("auth.login-identical", "Unknown user and wrong password answer alike", identical),
    Check("rate.login", "The login URL is throttled", throttled),
)
