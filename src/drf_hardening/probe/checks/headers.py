"""Headers of an API response, and the ``Host`` check.

The headers are read on the authenticated GET of the URL: what a client of the
API really receives, after every proxy in between.
"""

from __future__ import annotations

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import describe, media_type
from drf_hardening.probe.model import Check, Result, failed, passed

#: Values that send the full URL (tokens in query strings included) to other sites.
LEAKY_REFERRER_POLICIES = {"unsafe-url", "no-referrer-when-downgrade"}


def csp_directives(value: str) -> dict[str, list[str]]:
    """``"default-src 'none'; frame-ancestors 'none'"`` -> ``{"default-src": ["'none'"], ...}``."""
    directives: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), [word.lower() for word in words[1:]])
    return directives


def _header(ctx: Context, name: str) -> str | None:
    value: str | None = ctx.base().headers.get(name)
    return value


def nosniff(ctx: Context) -> Result:
    value = _header(ctx, "x-content-type-options")
    if value is None or value.strip().lower() != "nosniff":
        return failed(f"X-Content-Type-Options: {value}" if value else "no X-Content-Type-Options")
    return passed(f"X-Content-Type-Options: {value}")


def framing(ctx: Context) -> Result:
    value = _header(ctx, "x-frame-options")
    if value and value.strip().upper() in ("DENY", "SAMEORIGIN"):
        return passed(f"X-Frame-Options: {value}")
    ancestors = csp_directives(_header(ctx, "content-security-policy") or "").get("frame-ancestors")
    if ancestors and "*" not in ancestors:
        return passed(f"CSP frame-ancestors {' '.join(ancestors)}")
    return failed("neither X-Frame-Options DENY/SAMEORIGIN nor a CSP frame-ancestors")


def referrer_policy(ctx: Context) -> Result:
    value = _header(ctx, "referrer-policy")
    if value is None:
        return failed("no Referrer-Policy header")
    # Browsers use the last value they understand in a list.
    last = value.split(",")[-1].strip().lower()
    if last in LEAKY_REFERRER_POLICIES:
        return failed(f"Referrer-Policy: {value} sends full URLs to other sites")
    return passed(f"Referrer-Policy: {value}")


def coop(ctx: Context) -> Result:
    value = _header(ctx, "cross-origin-opener-policy")
    if value is None:
        return failed("no Cross-Origin-Opener-Policy header")
    if value.split(";")[0].strip().lower() == "unsafe-none":
        return failed(f"Cross-Origin-Opener-Policy: {value}")
    return passed(f"Cross-Origin-Opener-Policy: {value}")


def csp(ctx: Context) -> Result:
    response = ctx.base()
    value = response.headers.get("content-security-policy")
    if value is None:
        return failed(f"no Content-Security-Policy on the {media_type(response)} response")
    if csp_directives(value).get("default-src") != ["'none'"]:
        return failed(f"Content-Security-Policy: {value} (not default-src 'none')")
    return passed(f"Content-Security-Policy: {value}")


def foreign_host(ctx: Context) -> Result:
    host = f"drfh-probe-{ctx.nonce}.invalid"
    try:
        # No token: the API should refuse before it gets that far.
        response = ctx.send("GET", headers={"Host": host}, authenticated=False)
    except httpx.RemoteProtocolError:
        return passed(f"Host: {host}: the connection was closed without an answer")
    ctx.once("host", lambda: response)
    if response.status_code in (400, 421):
        return passed(f"Host: {host} -> {describe(response, 60)}")
    return failed(f"Host: {host} was served: {describe(response, 60)}")


CHECKS = (
    Check("headers.nosniff", "X-Content-Type-Options: nosniff", nosniff),
    Check("headers.framing", "X-Frame-Options or CSP frame-ancestors", framing),
    Check("headers.referrer-policy", "A Referrer-Policy that keeps URLs private", referrer_policy),
    Check("headers.coop", "Cross-Origin-Opener-Policy", coop),
    Check("headers.csp", "Content-Security-Policy default-src 'none'", csp),
    Check("host.foreign", "A foreign Host is refused", foreign_host),
)
