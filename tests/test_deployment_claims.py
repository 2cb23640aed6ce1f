"""docs/deployment.md's "## gunicorn" claims, against real gunicorn sync workers and nginx.

Issue 17, finding 11: "slow clients trickling headers stalled 4 sync workers; gunicorn's
own 414/431 are HTML." Each test shows the finding on gunicorn exposed directly, then
what the nginx block of docs/deployment.md (``DeployedNginx`` reads that very block)
changes. The project is tests/test_attack_fixes.py's hardened one, under two sync workers.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.components import Gunicorn
from tests.e2e.conftest import nginx_binary
from tests.probe.components import DeployedNginx
from tests.services import RedisServer
from tests.test_attack_fixes import HOST, PROXIED, Project, Served, serving, write_project

ECHO = "/api/echo/"
#: Over gunicorn's --limit-request-line (4094) and under nginx's 8k header buffer.
MID_URL = ECHO + "?q=" + "a" * 5000
#: Over nginx's 8k buffer (large_client_header_buffers 4 8k) too.
LONG_URL = ECHO + "?q=" + "a" * 9000
#: One header line over both gunicorn's --limit-request-field_size (8190) and nginx's 8k.
BIG_HEADER = {"X-Big": "b" * 9000}
#: Within every limit, but more than gunicorn's --limit-request-fields (100).
MANY_HEADERS = {f"X-Many-{i}": "m" for i in range(101)}


@dataclass
class Stack:
    """The hardened project under gunicorn, and the documented nginx in front of it."""

    served: Served
    nginx: DeployedNginx

    @property
    def gunicorn(self) -> Gunicorn:
        return self.served.server

    def direct(self, timeout: float) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.gunicorn.port, timeout=timeout)

    def tls_socket(self) -> socket.socket:
        """A raw connection to nginx's HTTPS port, TLS handshake done."""
        plain = socket.create_connection(("127.0.0.1", self.nginx.https_port), timeout=10)
        return self.nginx.ssl_context().wrap_socket(plain, server_hostname="127.0.0.1")

    def proxied(self, timeout: float) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(
            "127.0.0.1", self.nginx.https_port, timeout=timeout, context=self.nginx.ssl_context()
        )


@contextlib.contextmanager
def deployed(project: Project) -> Iterator[Stack]:
    with serving(project) as served:
        proxy = DeployedNginx(served.server.port, nginx_binary())
        try:
            proxy.start()
            yield Stack(served, proxy)
        finally:
            proxy.cleanup()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer) -> Project:
    return write_project(tmp_path_factory.mktemp("claims") / "project", redis_server)


@pytest.fixture(scope="module")
def stack(project: Project) -> Iterator[Stack]:
    """gunicorn's defaults."""
    with deployed(project) as running:
        yield running


@pytest.fixture(scope="module")
def raised(project: Project) -> Iterator[Stack]:
    """gunicorn's limits raised as docs/deployment.md says (gunicorn reads GUNICORN_CMD_ARGS)."""
    env = {**project.env, "GUNICORN_CMD_ARGS": RAISED_LIMITS}
    with deployed(dataclasses.replace(project, env=env)) as running:
        yield running


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    server: str
    body: bytes


def answer_of(response: http.client.HTTPResponse) -> Answer:
    return Answer(
        response.status,
        response.getheader("Content-Type", ""),
        response.getheader("Server", ""),
        response.read(),
    )


def ask(
    connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None
) -> Answer:
    """One GET as the declared proxy would send it (Host, X-Forwarded-Proto: https)."""
    try:
        connection.request("GET", path, headers={**PROXIED, **(headers or {})})
        return answer_of(connection.getresponse())
    finally:
        connection.close()


def read_answer(sock: socket.socket) -> Answer:
    """The response on ``sock``, which this closes."""
    with sock:
        response = http.client.HTTPResponse(sock)
        response.begin()
        return answer_of(response)


# slow clients -----------------------------------------------------------------------


@contextlib.contextmanager
def trickling(sockets: list[socket.socket]) -> Iterator[threading.Thread]:
    """Each socket sends a request line, then a header one byte at a time, until the end.

    A sync worker reads a request's headers before anything else, on the one connection
    it has accepted: each of these holds a worker for as long as it trickles. The thread
    yielded ends if a send fails.
    """
    for sock in sockets:
        sock.sendall(f"GET {ECHO} HTTP/1.1\r\nHost: {HOST}\r\nX-Slow: ".encode())
    stop = threading.Event()

    def trickle() -> None:
        # Never a complete header: a byte each 0.2 s stays under every size limit for minutes.
        while not stop.wait(0.2):
            for sock in sockets:
                sock.sendall(b"s")

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join()
        for sock in sockets:
            sock.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def test_slow_clients_hold_every_sync_worker_and_an_ordinary_get_waits(stack: Stack) -> None:
    sockets = [connect(stack.gunicorn.port) for _ in range(stack.gunicorn.workers)]
    with trickling(sockets) as trickler:
        with pytest.raises(TimeoutError):
            # The reproduction: seconds without an answer, where one takes milliseconds.
            ask(stack.direct(timeout=3), ECHO)
        # Still trickling: a send that failed would have ended the thread.
        assert trickler.is_alive()


def test_behind_the_documented_nginx_slow_clients_leave_the_get_answered(stack: Stack) -> None:
    sockets = [stack.tls_socket() for _ in range(stack.gunicorn.workers)]
    with trickling(sockets) as trickler:
        # nginx reads a whole header before it opens a connection to gunicorn.
        answer = ask(stack.proxied(timeout=20), ECHO)
        assert trickler.is_alive()
    assert (answer.status, answer.content_type) == (200, "application/json")


# the server's own error pages --------------------------------------------------------

#: What nginx's own error pages end with (server_tokens off: no version).
NGINX_PAGE = b"<hr><center>nginx</center>"
#: What gunicorn's own error pages hold (gunicorn.util.write_error).
GUNICORN_PAGE = b"<h1><p>"
#: Behind nginx, gunicorn's limits raised to what nginx lets through
#: (docs/deployment.md, "## gunicorn").
RAISED_LIMITS = (
    "--limit-request-line 8190 --limit-request-fields 32768 --limit-request-field_size 16384"
)
#: nginx's longest request line (8 KiB with its CRLF): the URL that makes it.
NGINX_MAX_URL = ECHO + "?q=" + "a" * (8190 - len(f"GET {ECHO}?q= HTTP/1.1"))
#: A client's X-Forwarded-For nginx accepts, which its appended entry takes past 8190 bytes.
LONG_FORWARDED_FOR = {"X-Forwarded-For": "1" * 8170}

REQUESTS: dict[str, tuple[str, dict[str, str] | None]] = {
    "url-over-gunicorn-limit": (MID_URL, None),
    "url-over-nginx-limit": (LONG_URL, None),
    "header-over-both-limits": (ECHO, BIG_HEADER),
    "headers-over-gunicorn-count": (ECHO, MANY_HEADERS),
    "forwarded-for-nginx-lengthens": (ECHO, LONG_FORWARDED_FOR),
}


def assert_html(answer: Answer, status: int, page: bytes) -> None:
    """An HTML error page, not the API's JSON, written by the server ``page`` marks."""
    assert (answer.status, answer.content_type) == (status, "text/html"), answer
    assert answer.body.startswith(b"<html>"), answer.body
    assert page in answer.body, answer.body


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("url-over-gunicorn-limit", 414),
        ("url-over-nginx-limit", 414),
        ("header-over-both-limits", 431),
        ("headers-over-gunicorn-count", 431),
    ],
)
def test_gunicorn_answers_its_own_html_errors(stack: Stack, case: str, status: int) -> None:
    path, headers = REQUESTS[case]
    assert_html(ask(stack.direct(timeout=20), path, headers), status, GUNICORN_PAGE)


@pytest.mark.parametrize(
    ("case", "status", "page"),
    [
        # Under nginx's 8 KiB lines, over gunicorn's defaults: gunicorn's page, through nginx.
        ("url-over-gunicorn-limit", 414, GUNICORN_PAGE),
        ("headers-over-gunicorn-count", 431, GUNICORN_PAGE),
        ("forwarded-for-nginx-lengthens", 431, GUNICORN_PAGE),
        # Over nginx's own buffers: nginx answers, gunicorn never sees the request.
        ("url-over-nginx-limit", 414, NGINX_PAGE),
        ("header-over-both-limits", 400, NGINX_PAGE),
    ],
)
def test_behind_the_documented_nginx_which_server_answers(
    stack: Stack, case: str, status: int, page: bytes
) -> None:
    path, headers = REQUESTS[case]
    answer = ask(stack.proxied(timeout=20), path, headers)
    assert answer.server == "nginx"
    assert_html(answer, status, page)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (MID_URL, None),
        (NGINX_MAX_URL, None),
        (ECHO, MANY_HEADERS),
        (ECHO, LONG_FORWARDED_FOR),
    ],
    ids=["url-over-gunicorn-default", "longest-url-nginx-passes", "many-headers", "long-xff"],
)
def test_with_raised_limits_what_nginx_passes_reaches_django(
    raised: Stack, path: str, headers: dict[str, str] | None
) -> None:
    answer = ask(raised.proxied(timeout=20), path, headers)
    assert (answer.status, answer.content_type) == (200, "application/json"), answer


def test_with_raised_limits_nginx_still_answers_what_it_refuses(raised: Stack) -> None:
    # One byte past the longest URL that reached Django above.
    assert_html(ask(raised.proxied(timeout=20), NGINX_MAX_URL + "a"), 414, NGINX_PAGE)
    assert_html(ask(raised.proxied(timeout=20), ECHO, BIG_HEADER), 400, NGINX_PAGE)


#: Not a request line at all.
MALFORMED = b"NOT AN HTTP REQUEST\r\n\r\n"


def test_a_malformed_request_line_gets_each_servers_html_400(stack: Stack) -> None:
    direct = connect(stack.gunicorn.port)
    direct.sendall(MALFORMED)
    assert_html(read_answer(direct), 400, GUNICORN_PAGE)
    proxied = stack.tls_socket()
    proxied.sendall(MALFORMED)
    assert_html(read_answer(proxied), 400, NGINX_PAGE)
