"""Rate limiting: a 429 with Retry-After exactly when the advertised quota is spent, and no
fresh quota for a client that writes its own ``X-Forwarded-For``.

These run last: they spend the token's quota on the URL (and an anonymous one),
so any check after them would only see 429s.
"""

from __future__ import annotations

import secrets

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import describe
from drf_hardening.probe.model import Check, Result, failed, passed, skipped
from drf_hardening.probe.ratelimit import policy_text, remaining, tightest


def anonymous_endpoint(ctx: Context) -> tuple[str, httpx.Response] | None:
    """The first of ``--anon-url``, the URL and ``/`` that answers an anonymous GET with 2xx."""
    candidates = [ctx.resolve(ctx.options.anon_url)] if ctx.options.anon_url else []
    candidates += [u for u in (ctx.url, ctx.root()) if u not in candidates]
    for url in candidates:
        response = ctx.send("GET", url, authenticated=False)
        if response.is_success:
            return url, response
    return None


def spoofed() -> dict[str, str]:
    # TEST-NET-3 (RFC 5737): an address no real client has.
    return {"X-Forwarded-For": f"203.0.113.{secrets.randbelow(254) + 1}"}


def forwarded_for(ctx: Context) -> Result:
    found = anonymous_endpoint(ctx)
    if found is None:
        return skipped("no endpoint answered an anonymous GET with 2xx; --anon-url names one")
    url, first = found
    before = remaining(first)
    if before:
        header = spoofed()
        second = ctx.send("GET", url, headers=header, authenticated=False)
        after = remaining(second)
        if second.status_code == 429:
            return passed(f"{header['X-Forwarded-For']}: still 429, the same quota")
        fresh = [name for name in before if name in after and after[name] >= before[name]]
        if not after or fresh:
            name = fresh[0] if fresh else next(iter(before))
            return failed(
                f"X-Forwarded-For: {header['X-Forwarded-For']} got a fresh quota on {url}: "
                f'"{name}" r={before[name]} then r={after.get(name, "none")}'
            )
        name, left = tightest(after)
        return passed(f'X-Forwarded-For ignored on {url}: "{name}" r={before[name]} -> {left}')
    # No header to read: spend the anonymous quota (half the budget at most), then spoof.
    allowance = ctx.client.budget.left // 2
    for sent in range(1, allowance + 1):
        response = ctx.send("GET", url, authenticated=False)
        if response.status_code == 429:
            header = spoofed()
            again = ctx.send("GET", url, headers=header, authenticated=False)
            if again.status_code == 429:
                return passed(f"429 after {sent} anonymous requests, and with a spoofed XFF too")
            return failed(
                f"429 after {sent} anonymous requests on {url}, but X-Forwarded-For: "
                f"{header['X-Forwarded-For']} got {again.status_code}: a fresh quota"
            )
    return skipped(f"no 429 within {allowance} anonymous requests and no RateLimit header")


def limit(ctx: Context) -> Result:
    first = ctx.send("GET")
    if first.status_code in (401, 403) and not ctx.token:
        return skipped(f"the URL answers {first.status_code} without a token: --token counts")
    if first.status_code == 429:
        return skipped(f"already 429 (Retry-After: {first.headers.get('retry-after')}): run later")
    left = remaining(first)
    budget = ctx.client.budget
    if left:
        name, count = tightest(left)
        if count + 1 > budget.left:
            return skipped(
                f'RateLimit advertises {count} left ("{name}"), more than the {budget.left} '
                "requests left in the budget (--max-requests)"
            )
        for sent in range(count):
            response = ctx.send("GET")
            if response.status_code == 429:
                return failed(f'429 after {sent} of the {count} requests "{name}" advertised')
        return _expect_429(ctx.send("GET"), f'after the {count} requests "{name}" advertised')
    allowance = budget.left
    for sent in range(1, allowance + 1):
        response = ctx.send("GET")
        if response.status_code == 429:
            return _expect_429(response, f"after {sent} requests ({policy_text(first)})")
    return failed(f"no 429 within {allowance} requests and no RateLimit header")


def _expect_429(response: httpx.Response, when: str) -> Result:
    if response.status_code != 429:
        return failed(f"still {describe(response, 40)} {when}")
    after = response.headers.get("retry-after")
    if not after:
        return failed(f"429 {when}, but no Retry-After")
    return passed(f"429 with Retry-After: {after} {when}")


CHECKS = (
    Check("rate.forwarded-for", "A spoofed X-Forwarded-For gets no fresh quota", forwarded_for),
    Check("rate.limit", "429 with Retry-After once the quota is spent", limit),
)
