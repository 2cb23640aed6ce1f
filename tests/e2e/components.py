"""The real processes of the end-to-end suite: gunicorn, nginx and a static site.

Each component binds 127.0.0.1 on a free port, writes its logs to its own
temporary directory and is stopped by the PID it was started with. Redis comes
from ``tests.services`` (``RedisServer``), so the suite shares one way of
running it. The benchmarks import these classes too.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests import waiting
from tests.e2e.load import request
from tests.services import free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_DIR = ROOT / "example_project"


def manage(database_url: str, *command: str) -> str:
    """Run ``example_project/manage.py <command>`` on ``database_url``; return its output.

    Under the example's development profile, whatever the calling environment
    says: ``seed_demo`` refuses to run under production.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "DRF_HARDENING"))}
    env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, str(EXAMPLE_DIR / "manage.py"), *command],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"manage.py {command[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def seed_example(database_url: str) -> str:
    """Migrate and seed the example's database; return the demo user's token."""
    manage(database_url, "migrate", "--noinput")
    return demo_token(manage(database_url, "seed_demo"))


def demo_token(output: str) -> str:
    """The token ``seed_demo`` printed."""
    match = re.search(r"Token:\s+(\w+)", output)
    if match is None:
        raise RuntimeError(f"seed_demo printed no token:\n{output}")
    return match[1]


def child_pids(parent: int) -> list[int]:
    """The PIDs whose parent is ``parent`` (Linux ``/proc``; CI runs Debian)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The command name is in parentheses and may hold spaces: split after it.
            stat = (entry / "stat").read_text().rpartition(")")[2].split()
            if int(stat[1]) == parent and stat[0] != "Z":
                children.append(int(entry.name))
    return sorted(children)


def wait_until(predicate: Any, timeout: float, what: str) -> None:
    """``tests.waiting.wait_until``, in the argument order of this suite's callers."""
    waiting.wait_until(predicate, what, timeout)


#: Worker PID, method, path, query string, status, microseconds, and the
#: X-Forwarded-For and X-Forwarded-Proto headers as gunicorn received them.
ACCESS_LOG_ATOMS = ("p", "m", "U", "q", "s", "D", "{x-forwarded-for}i", "{x-forwarded-proto}i")
ACCESS_LOG_FORMAT = "\t".join(f"%({atom})s" for atom in ACCESS_LOG_ATOMS)


@dataclass(frozen=True)
class AccessEntry:
    pid: int
    method: str
    path: str
    query: str
    status: int
    microseconds: int
    forwarded_for: str
    forwarded_proto: str

    @classmethod
    def parse(cls, line: str) -> AccessEntry:
        pid, method, path, query, status, micros, xff, proto = line.split("\t")
        return cls(int(pid.strip("<>")), method, path, query, int(status), int(micros), xff, proto)


def _no_control_socket() -> list[str]:
    # Recent gunicorn (27 here) opens a control socket at one fixed path under $HOME,
    # which the servers of a test session would fight over; older ones lack the flag.
    from gunicorn.config import KNOWN_SETTINGS

    return (
        ["--no-control-socket"]
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS)
        else []
    )


@dataclass
class Gunicorn:
    """``gunicorn`` serving a WSGI application, with an access log we can read."""

    app: str
    env: Mapping[str, str]
    chdir: Path = EXAMPLE_DIR
    workers: int = 2
    #: ``-k``: gunicorn's sync workers unless set (``"uvicorn_worker.UvicornWorker"``: ASGI).
    worker_class: str | None = None
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="drfh-gunicorn-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.directory / "access.log"

    @property
    def output(self) -> Path:
        """Gunicorn's own log and everything the application writes to stderr."""
        return self.directory / "gunicorn.log"

    @property
    def pid(self) -> int:
        assert self.process is not None, "gunicorn is not running"
        return self.process.pid

    def start(self) -> None:
        # pytest-django exported DJANGO_SETTINGS_MODULE=tests.settings: the
        # application picks its own unless this component names one.
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(self.env)
        command = [
            sys.executable, "-m", "gunicorn",
            "--chdir", str(self.chdir),
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            *(["--worker-class", self.worker_class] if self.worker_class else []),
            "--graceful-timeout", "5",
            "--access-logfile", str(self.access_log),
            "--error-logfile", "-",
            "--access-logformat", ACCESS_LOG_FORMAT,
            *_no_control_socket(),
            self.app,
        ]  # fmt: skip
        with self.output.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT
            )
        wait_until(self._answers, 60, f"gunicorn {self.app} does not answer")
        wait_until(lambda: len(self.worker_pids()) == self.workers, 30, "gunicorn workers not up")

    def _answers(self) -> bool:
        """Whether a worker has loaded the application and answers HTTP."""
        self.assert_running()
        try:
            request(f"{self.url}/", timeout=5)
        except OSError:
            return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def assert_running(self) -> None:
        """Fail with the end of gunicorn's log if it has exited (a worker failed to boot...)."""
        if self.process is None or self.process.poll() is not None:
            tail = "\n".join(self.log_text().splitlines()[-30:])
            raise AssertionError(f"gunicorn {self.app} is not running; its log ends with:\n{tail}")

    def worker_pids(self) -> list[int]:
        return child_pids(self.pid)

    def reload(self) -> None:
        """SIGHUP: the master starts new workers and stops the old ones gracefully."""
        os.kill(self.pid, signal.SIGHUP)

    def access_entries(self) -> list[AccessEntry]:
        """What reached the application, one entry per request a worker answered."""
        if not self.access_log.exists():
            return []
        return [AccessEntry.parse(line) for line in self.access_log.read_text().splitlines()]

    def entries_for(self, query: str, at_least: int) -> list[AccessEntry]:
        """The entries whose query string is ``query``, once ``at_least`` of them are logged.

        A worker writes the access line after it has sent the response, so the
        client can be a moment ahead of the log.
        """

        def found() -> list[AccessEntry]:
            return [entry for entry in self.access_entries() if entry.query == query]

        # Generous: a loaded CI machine can take seconds where this one takes 0.5 s.
        wait_until(lambda: len(found()) >= at_least, 60, f"{at_least} requests ?{query} not logged")
        return found()

    def log_text(self) -> str:
        return self.output.read_text(errors="replace")

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


NGINX_CONF = """\
{user}
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;

    upstream app {{ server 127.0.0.1:{upstream}; }}

    # Both ports forward to the application, plain HTTP included: the redirect to
    # HTTPS is Django's (SECURE_SSL_REDIRECT behind SECURE_PROXY_SSL_HEADER), which
    # is what the suite proves. Whatever the client sent in X-Forwarded-For and
    # X-Forwarded-Proto is replaced, never appended to.
    server {{
        listen 127.0.0.1:{http_port};
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {dir}/server.pem;
        ssl_certificate_key {dir}/server.key;
        location / {{
            proxy_pass http://app;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


@dataclass
class Nginx:
    """nginx terminating TLS with a trustme certificate in front of ``upstream_port``."""

    upstream_port: int
    binary: str
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="drfh-nginx-")))
    process: subprocess.Popen[bytes] | None = None
    ca: Any = None

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.ca.configure_trust(context)
        return context

    def start(self) -> None:
        import trustme

        self.ca = trustme.CA()
        certificate = self.ca.issue_cert("127.0.0.1", "localhost")
        certificate.private_key_pem.write_to_path(str(self.directory / "server.key"))
        certificate.private_key_and_cert_chain_pem.write_to_path(str(self.directory / "server.pem"))
        conf = self.directory / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                # As root, nginx switches its workers to "nobody", whose group Debian
                # lacks; the test certificate and logs are root's anyway.
                user="user root root;" if os.geteuid() == 0 else "",
                dir=self.directory,
                upstream=self.upstream_port,
                http_port=self.http_port,
                https_port=self.https_port,
            )
        )
        with (self.directory / "error.log").open("ab") as errors:
            self.process = subprocess.Popen(
                [self.binary, "-p", str(self.directory), "-c", str(conf),
                 "-e", str(self.directory / "error.log"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )  # fmt: skip
        wait_until(self._listens, 10, "nginx does not listen")

    def _listens(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            log = (self.directory / "error.log").read_text(errors="replace")
            raise AssertionError(f"nginx exited; {self.directory}/error.log:\n{log}")
        for port in (self.http_port, self.https_port):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)):
                    return False
        return True

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


class _PageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>drf-hardening CORS probe</title><p>probe</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_site(host: str) -> Iterator[str]:
    """Serve an empty HTML page on ``host`` and a free port; yield its origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
