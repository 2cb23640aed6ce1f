"""CORS: the front end's origin is allowed, look-alikes are not, credentials never go to all.

Each origin is sent as a browser sends it, on a GET of the URL with the token;
what matters is the ``Access-Control-Allow-Origin`` the API answers with.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.model import Check, Result, failed, passed, skipped


def hostile_origins(ctx: Context) -> list[str]:
    """A foreign origin, ``null``, and tricks on the allowed one (or on the API's own)."""
    parts = urlsplit(ctx.options.origin or ctx.url)
    scheme, host = parts.scheme, parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    other_scheme = "http" if scheme == "https" else "https"
    return [
        f"https://drfh-probe-{ctx.nonce}.example",
        "null",
        f"{scheme}://{host}.evil.test{port}",  # an unanchored suffix match
        f"{scheme}://evil{host}{port}",  # an unanchored prefix match ("example.com$")
        f"{other_scheme}://{host}{port}",  # the same host on the other scheme
    ]


def _answer(ctx: Context, origin: str) -> httpx.Response:
    return ctx.once(f"cors {origin}", lambda: ctx.send("GET", headers={"Origin": origin}))


def _reflects(response: httpx.Response, origin: str) -> bool:
    return bool(response.headers.get("access-control-allow-origin") == origin)


def _allowed(response: httpx.Response, origin: str) -> bool:
    return response.headers.get("access-control-allow-origin") in (origin, "*")


def allowed_origin(ctx: Context) -> Result:
    origin = ctx.options.origin
    if not origin:
        return skipped("no --origin given")
    response = _answer(ctx, origin)
    value = response.headers.get("access-control-allow-origin")
    if value in (origin, "*"):
        return passed(f"Origin: {origin} -> Access-Control-Allow-Origin: {value}")
    return failed(f"Origin: {origin} is not allowed (Access-Control-Allow-Origin: {value})")


def not_reflected(ctx: Context) -> Result:
    origins = [o for o in hostile_origins(ctx) if o != ctx.options.origin]
    reflected = [o for o in origins if _reflects(_answer(ctx, o), o)]
    if reflected:
        return failed(f"reflected in Access-Control-Allow-Origin: {', '.join(reflected)}")
    return passed(f"{len(origins)} foreign origins, null and look-alikes: none reflected")


def credentials(ctx: Context) -> Result:
    origins = [o for o in hostile_origins(ctx) if o != ctx.options.origin]
    if ctx.options.origin:
        response = _answer(ctx, ctx.options.origin)
        if response.headers.get("access-control-allow-origin") == "*" and (
            response.headers.get("access-control-allow-credentials") == "true"
        ):
            return failed("Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials")
    for origin in origins:
        response = _answer(ctx, origin)
        with_credentials = response.headers.get("access-control-allow-credentials") == "true"
        if with_credentials and _allowed(response, origin):
            value = response.headers["access-control-allow-origin"]
            return failed(
                f"Origin: {origin} -> Access-Control-Allow-Origin: {value} with "
                "Access-Control-Allow-Credentials: true (any site can read signed-in answers)"
            )
    return passed("no foreign origin is allowed with Access-Control-Allow-Credentials")


CHECKS = (
    Check("cors.allowed-origin", "The front end's origin is allowed", allowed_origin),
    Check("cors.not-reflected", "Foreign and look-alike origins not reflected", not_reflected),
    Check("cors.credentials", "Never any origin with credentials", credentials),
)
