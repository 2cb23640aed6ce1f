"""A bounded load generator: a fixed number of requests from a fixed number of threads.

Each thread keeps one ``http.client`` connection (nginx keeps it alive; gunicorn's
sync workers close it, and ``http.client`` then reconnects by itself). A request
that fails at the socket level is recorded with status 0 instead of raising, so
a test can assert on every outcome. Used by the tests and by ``benchmarks/``.
"""

from __future__ import annotations

import http.client
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Outcome:
    status: int  # 0: no HTTP response (connection refused, reset, timed out)
    headers: Mapping[str, str]
    body: bytes
    started: float  # seconds since the run began
    elapsed: float  # seconds the request took


def request(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    context: ssl.SSLContext | None = None,
    timeout: float = 10.0,
) -> Outcome:
    """One GET on a fresh connection, with exactly the headers given; no redirect followed.

    Unlike ``run_load``, a socket error raises: a single request that fails is the
    test's failure, not a statistic.
    """
    (outcome,) = run_load(
        url,
        total=1,
        concurrency=1,
        headers=lambda i: headers or {},
        context=context,
        timeout=timeout,
    )
    if outcome.status == 0:
        raise ConnectionError(f"no HTTP answer from {url}")
    return outcome


def run_load(
    url: str,
    *,
    total: int,
    concurrency: int,
    headers: Callable[[int], Mapping[str, str]] = lambda i: {},
    method: str = "GET",
    context: ssl.SSLContext | None = None,
    timeout: float = 15.0,
    pause: float = 0.0,
) -> list[Outcome]:
    """Send ``total`` requests to ``url`` from ``concurrency`` threads; return them in order.

    ``headers(i)`` gives the headers of the i-th request. ``pause`` spaces each
    thread's requests, to spread a run over time (fault tests stop Redis mid-run).
    """
    parsed = urlsplit(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    local = threading.local()
    opened: list[http.client.HTTPConnection] = []
    begin = time.perf_counter()

    def connection() -> http.client.HTTPConnection:
        if not hasattr(local, "connection"):
            if parsed.scheme == "https":
                local.connection = http.client.HTTPSConnection(
                    parsed.netloc, timeout=timeout, context=context
                )
            else:
                local.connection = http.client.HTTPConnection(parsed.netloc, timeout=timeout)
            opened.append(local.connection)
        conn: http.client.HTTPConnection = local.connection
        return conn

    def one(index: int) -> Outcome:
        if pause:
            time.sleep(pause)
        conn = connection()
        started = time.perf_counter()
        try:
            conn.request(method, target, headers=dict(headers(index)))
            reply = conn.getresponse()
            body = reply.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            return Outcome(0, {}, b"", started - begin, time.perf_counter() - started)
        reply_headers = {name.lower(): value for name, value in reply.getheaders()}
        if reply_headers.get("connection", "").lower() == "close":
            conn.close()
        return Outcome(
            reply.status, reply_headers, body, started - begin, time.perf_counter() - started
        )

    try:
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            return list(pool.map(one, range(total)))
    finally:
        for conn in opened:
            conn.close()
