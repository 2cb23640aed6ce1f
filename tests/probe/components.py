"""nginx configured as docs/deployment.md says, and deliberately broken variants of it.

The configuration is not written here: ``deployment_config()`` reads the one
``nginx`` block of docs/deployment.md and only swaps in local addresses, ports,
the test certificate and temporary paths. So the probe's PASS test proves the
page, not a copy of it. The variants are textual edits of that same block, each
asserted to apply.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.components import ROOT, Nginx, wait_until

DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
XFF_LINE = "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"

HTTP_WRAPPER = """\
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
{servers}
}}
"""


def documented_block() -> str:
    """The ``nginx`` fenced block of docs/deployment.md (there must be exactly one)."""
    blocks = re.findall(r"^```nginx\n(.*?)^```", DEPLOYMENT_DOC.read_text(), re.M | re.S)
    assert len(blocks) == 1, f"{DEPLOYMENT_DOC} must hold one nginx block, found {len(blocks)}"
    return str(blocks[0])


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the nginx block"
    return text.replace(old, new)


def deployment_config(*, upstream: int, http_port: int, https_port: int, directory: Path) -> str:
    """The documented servers with this machine's ports, certificate and paths."""
    block = documented_block()
    for old, new in (
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/api.example.com/fullchain.pem", str(directory / "server.pem")),
        ("/etc/ssl/api.example.com/privkey.pem", str(directory / "server.key")),
    ):
        block = replace_once(block, old, new)
    # Both server blocks name the API's host; here that host is 127.0.0.1.
    assert block.count("server_name api.example.com;") == 2
    return block.replace("server_name api.example.com;", "server_name 127.0.0.1;")


@dataclass
class DeployedNginx(Nginx):
    """nginx running the configuration of docs/deployment.md, optionally broken.

    ``hide_headers``: response headers nginx strips (``proxy_hide_header``).
    ``append_forwarded_for``: ``False`` removes the ``X-Forwarded-For`` line, so
    nginx passes on whatever the client sent.
    """

    hide_headers: tuple[str, ...] = ()
    append_forwarded_for: bool = True

    def config(self) -> str:
        servers = deployment_config(
            upstream=self.upstream_port,
            http_port=self.http_port,
            https_port=self.https_port,
            directory=self.directory,
        )
        location = "location / {\n"
        extra = "".join(f"        proxy_hide_header {name};\n" for name in self.hide_headers)
        servers = replace_once(servers, location, location + extra)
        if not self.append_forwarded_for:
            servers = replace_once(servers, XFF_LINE, "# no X-Forwarded-For line")
        return HTTP_WRAPPER.format(
            user="user root root;" if os.geteuid() == 0 else "",
            dir=self.directory,
            servers=servers,
        )

    def start(self) -> None:
        import trustme

        self.ca = trustme.CA()
        certificate = self.ca.issue_cert("127.0.0.1", "localhost")
        certificate.private_key_pem.write_to_path(str(self.directory / "server.key"))
        certificate.private_key_and_cert_chain_pem.write_to_path(str(self.directory / "server.pem"))
        conf = self.directory / "nginx.conf"
        conf.write_text(self.config())
        with (self.directory / "error.log").open("ab") as errors:
            self.process = subprocess.Popen(
                [self.binary, "-p", str(self.directory), "-c", str(conf),
                 "-e", str(self.directory / "error.log"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=errors,
            )  # fmt: skip
        wait_until(self._listens, 10, "nginx does not listen")

    @property
    def ca_file(self) -> Path:
        """The test CA's certificate, for ``--cafile``."""
        path = self.directory / "ca.pem"
        if not path.exists():
            self.ca.cert_pem.write_to_path(str(path))
        return path

    def request_count(self) -> int:
        """Requests nginx has logged so far, on both ports (one access-log line each)."""
        log = self.directory / "access.log"
        return len(log.read_text().splitlines()) if log.exists() else 0
