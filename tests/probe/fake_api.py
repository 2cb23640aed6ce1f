"""A small real HTTP server whose answers each test writes, for the probe's edge cases.

The full stacks (tests/probe/e2e) prove the checks against the real example.
What a real deployment rarely does on cue (a 429 one request early, a CORS
wildcard with credentials, a version in ``Server``) is written here as a
function ``app(request) -> Reply``, served over real HTTP on 127.0.0.1. Every
request the server receives is recorded, so a test counts them server-side.
"""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"{}"

    @classmethod
    def json(cls, status: int, data: Any, **headers: str) -> Reply:
        named = {name.replace("_", "-"): value for name, value in headers.items()}
        return cls(status, {"Content-Type": "application/json", **named}, json.dumps(data).encode())


App = Callable[[Request], Reply]

#: The headers a hardened API sends on every answer.
GOOD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, delayed ACKs add 40 ms to each.
    disable_nagle_algorithm = True
    server: _Server

    def __getattr__(self, name: str) -> Any:
        # do_GET, do_POST... and do_DRFHPROBE: every method goes to the app.
        if name.startswith("do_"):
            return self.answer
        raise AttributeError(name)

    def answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            self.rfile.read(length) if length else b"",
        )
        self.server.received.append(request)
        reply = self.server.app(request)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def send_response(self, code: int, message: str | None = None) -> None:
        # BaseHTTPRequestHandler's own adds "Server: BaseHTTP/0.6 Python/3.x": the apps
        # decide every header here.
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        self.received: list[Request] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # an app that raises drops the connection, on purpose: no traceback


@dataclass
class Served:
    origin: str  # http://127.0.0.1:<port>
    path: str
    received: list[Request]

    @property
    def url(self) -> str:
        return self.origin + self.path

    def to(self, path: str) -> str:
        return self.origin + path


@contextlib.contextmanager
def serve(
    app: App, path: str = "/api/items/", tls: ssl.SSLContext | None = None
) -> Iterator[Served]:
    """Serve ``app`` on a free 127.0.0.1 port (over TLS with ``tls``); yield its URL."""
    server = _Server(app)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    # A short poll: shutdown() waits for it, once per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        scheme = "https" if tls else "http"
        yield Served(f"{scheme}://127.0.0.1:{server.server_address[1]}", path, server.received)
    finally:
        server.shutdown()
        server.server_close()
