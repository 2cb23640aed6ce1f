"""Read what a response says about its rate limit, in the header forms APIs send.

- ``RateLimit: "user";r=42;t=18, "tasks";r=7;t=60`` (draft-ietf-httpapi-ratelimit-headers-08
  and later, what drf-hardening sends), one item per policy;
- ``RateLimit: limit=100, remaining=42, reset=18`` (drafts 05-07);
- ``RateLimit-Remaining: 42`` or ``X-RateLimit-Remaining: 42`` (older drafts, GitHub's style).
"""

from __future__ import annotations

import re

import httpx

_ITEM = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[A-Za-z*][\w.:/*-]*)\s*((?:;[^,;]*)*)\s*$')
_PARAM = re.compile(r";\s*([a-z*][a-z0-9_.*-]*)\s*=\s*([^;]*)")
_OLD_REMAINING = re.compile(r"(?:^|[,;\s])remaining\s*=\s*(\d+)")


def remaining(response: httpx.Response) -> dict[str, int]:
    """Requests left per policy name; empty when the response advertises no limit."""
    header = response.headers.get("ratelimit", "")
    found: dict[str, int] = {}
    for item in header.split(","):
        match = _ITEM.match(item)
        if not match:
            continue
        params = dict(_PARAM.findall(match[2]))
        if params.get("r", "").strip().isdigit():
            found[match[1].strip('"')] = int(params["r"])
    if found:
        return found
    old = _OLD_REMAINING.search(header)
    if old:
        return {"default": int(old[1])}
    for name in ("ratelimit-remaining", "x-ratelimit-remaining"):
        value = response.headers.get(name, "").strip()
        if value.isdigit():
            return {"default": int(value)}
    return {}


def policy_text(response: httpx.Response) -> str:
    """The advertised policy, for evidence: ``RateLimit-Policy`` or the limit header."""
    for name in ("ratelimit-policy", "ratelimit", "x-ratelimit-limit", "ratelimit-limit"):
        if name in response.headers:
            return f"{name}: {response.headers[name]}"
    return "no RateLimit header"


def tightest(left: dict[str, int]) -> tuple[str, int]:
    """The policy with the fewest requests left: the one that answers 429 first."""
    name = min(left, key=lambda key: left[key])
    return name, left[name]
