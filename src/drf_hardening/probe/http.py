"""The one way the probe sends requests: an httpx client behind a request budget.

Every check goes through ``Client.send``, which counts each request before it
is sent and refuses the one past ``--max-requests``. The count is the whole
run's, whatever the checks do, so the cap holds even if a check has a bug.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

#: The probe's User-Agent, so that the requests are easy to find in access logs.
USER_AGENT = "drf-hardening-probe"


class ProbeError(Exception):
    """The probe cannot run at all (exit status 2): bad input or an unreachable API."""


class BudgetSpent(Exception):
    """The request budget (``--max-requests``) is spent; the check is skipped."""


class TLSFailure(Exception):
    """The TLS connection failed (certificate not valid for this CA, name or date)."""


@dataclass
class Budget:
    """How many requests the run may still send."""

    limit: int
    sent: int = 0

    @property
    def left(self) -> int:
        return self.limit - self.sent

    def take(self) -> None:
        if self.sent >= self.limit:
            raise BudgetSpent(f"the request budget (--max-requests {self.limit}) is spent")
        self.sent += 1


class Client:
    """An ``httpx.Client`` that never follows redirects and counts every request."""

    def __init__(self, budget: Budget, *, verify: ssl.SSLContext | bool, timeout: float) -> None:
        self.budget = budget
        self.verify = verify
        self.http = httpx.Client(
            verify=verify,
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """One request, counted. A TLS error raises ``TLSFailure``, others ``TransportError``."""
        self.budget.take()
        try:
            return self.http.request(method, url, headers=headers, content=content)
        except httpx.ConnectError as error:
            if isinstance(error.__context__, ssl.SSLCertVerificationError) or "CERTIFICATE" in str(
                error
            ):
                raise TLSFailure(str(error)) from error
            raise

    def close(self) -> None:
        self.http.close()


def json_body(response: httpx.Response) -> Any:
    """The body as JSON, or ``None`` when it is not JSON."""
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def is_json(response: httpx.Response) -> bool:
    kind = media_type(response).lower()
    return kind == "application/json" or kind.endswith("+json")


def media_type(response: httpx.Response) -> str:
    value: str = response.headers.get("content-type", "")
    return value.split(";")[0].strip() or "no Content-Type"


def describe(response: httpx.Response, limit: int = 80) -> str:
    """``404 application/json {"error": ...}``: the status, media type and start of the body."""
    text = response.content[:400].decode("utf-8", "replace")
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"{response.status_code} {media_type(response)} {text}".rstrip()


def tls_details(response: httpx.Response) -> str | None:
    """``TLSv1.3, certificate for 127.0.0.1 until Dec 1 2027``, when the stream says."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    if ssl_object is None:  # not TLS, or a transport that does not say
        return None
    certificate = ssl_object.getpeercert() or {}
    names = [value for _, value in certificate.get("subjectAltName", ())] or ["?"]
    host = response.request.url.host
    # "Jan  1 00:00:00 3000 GMT" -> "Jan 1 3000"
    until = certificate.get("notAfter", "? ? ? ?").split()
    return (
        f"{ssl_object.version()}, certificate for {host if host in names else names[0]} "
        f"until {' '.join(until[:2] + until[3:4])}"
    )
