"""Transport: TLS, the redirect from plain HTTP, HSTS, and no version in ``Server``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import tls_details
from drf_hardening.probe.model import Check, Result, failed, passed, skipped

ONE_YEAR = 31_536_000
_MAX_AGE = re.compile(r"max-age\s*=\s*\"?(\d+)", re.I)
_VERSION = re.compile(r"\d+(?:\.\d+)*")


def tls(ctx: Context) -> Result:
    if not ctx.is_https:
        return failed(f"{ctx.url} is plain HTTP: tokens and data cross the network in clear")
    if ctx.options.insecure:
        # The base request still runs (other checks read it); only the verdict is skipped.
        ctx.base()
        return skipped("--insecure: the certificate was not verified")
    details = tls_details(ctx.base())
    return passed(f"certificate verified ({details})" if details else "certificate verified")


def http_url(ctx: Context) -> str:
    if ctx.options.http_url:
        return ctx.resolve(ctx.options.http_url)
    parts = urlsplit(ctx.url)
    return urlunsplit(("http", parts.hostname or "", parts.path or "/", parts.query, ""))


def https_redirect(ctx: Context) -> Result:
    if not ctx.is_https:
        return failed(f"{ctx.url} is plain HTTP: there is no HTTPS to redirect to")
    url = http_url(ctx)
    try:
        # No token: it must never be sent over plain HTTP.
        response = ctx.once("http", lambda: ctx.send("GET", url, authenticated=False))
    except httpx.TransportError as error:
        return skipped(f"nothing answers at {url} ({type(error).__name__}); --http-url sets it")
    location = response.headers.get("location", "")
    if response.status_code in (301, 302, 307, 308) and location.startswith("https://"):
        return passed(f"{url} -> {response.status_code} {location}")
    return failed(f"{url} answered {response.status_code}, not a redirect to https://")


def hsts(ctx: Context) -> Result:
    if not ctx.is_https:
        return failed("plain HTTP: browsers ignore Strict-Transport-Security there")
    value = ctx.base().headers.get("strict-transport-security")
    if value is None:
        return failed("no Strict-Transport-Security header")
    match = _MAX_AGE.search(value)
    age = int(match[1]) if match else 0
    if age < ONE_YEAR:
        return failed(f"Strict-Transport-Security: {value} (max-age under one year, {ONE_YEAR})")
    if "includesubdomains" not in value.lower():
        return failed(f"Strict-Transport-Security: {value} (no includeSubDomains)")
    return passed(f"Strict-Transport-Security: {value}")


def server_version(ctx: Context) -> Result:
    responses = [ctx.base()]
    if ctx.cached("http") is not None:  # the plain-HTTP answer, often the proxy's own
        responses.append(ctx.cached("http"))
    for response in responses:
        for name in ("server", "x-powered-by"):
            value = response.headers.get(name)
            if value and _VERSION.search(value):
                return failed(f"{name.title()}: {value} announces a version")
    server = responses[0].headers.get("server")
    return passed(f"Server: {server}" if server else "no Server header")


CHECKS = (
    Check("transport.tls", "TLS certificate valid", tls),
    Check("transport.https-redirect", "Plain HTTP redirects to HTTPS", https_redirect),
    Check("transport.hsts", "HSTS for at least a year, with includeSubDomains", hsts),
    Check("transport.server-version", "No version in Server or X-Powered-By", server_version),
)
