"""A real PostgreSQL server for the tests that need one: Debian's, as a cluster of its own.

Modelled on ``tests.services``: ``initdb`` makes a cluster in a temporary directory,
``postgres`` serves it on a free port bound to 127.0.0.1 (its socket in that directory
too), and it is stopped by its PID. Missing binaries skip the test with the package to
install, unless ``DRF_HARDENING_REQUIRE_SERVICES=1`` (CI), where they fail it. As root
(CI runs as root, and the server refuses to), both run as the ``postgres`` user that
Debian's package creates.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services import free_port, missing_service, stop_process, wait_for_port

INSTALL = "apt-get install -y postgresql"
USER = "drfh"


def binary(name: str) -> str | None:
    """``name`` on the PATH, else the newest under Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[4])
    )
    return str(candidates[-1]) if candidates else None


@dataclass
class PostgresServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"postgres://{USER}@127.0.0.1:{self.port}/postgres"

    @property
    def database(self) -> dict[str, Any]:
        """A ``DATABASES`` entry for this server."""
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": USER,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }


def _ready(port: int) -> bool:
    pg_isready = binary("pg_isready")
    if pg_isready is None:  # pragma: no cover - Debian ships it with the server
        return True
    done = subprocess.run(
        [pg_isready, "-h", "127.0.0.1", "-p", str(port), "-U", USER],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    initdb, server = binary("initdb"), binary("postgres")
    if not initdb or not server:
        missing_service("PostgreSQL", INSTALL)
    assert initdb is not None
    assert server is not None
    directory = Path(tempfile.mkdtemp(prefix="drfh-pg-"))
    data = directory / "data"
    as_user: dict[str, Any] = {}
    if os.geteuid() == 0:
        as_user = {"user": "postgres", "group": "postgres"}
        directory.chmod(0o755)
        shutil.chown(directory, "postgres", "postgres")
    try:
        subprocess.run(
            [initdb, "-D", str(data), "-U", USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, capture_output=True, **as_user,
        )  # fmt: skip
        port = free_port()
        process = subprocess.Popen(
            [server, "-D", str(data), "-p", str(port), "-k", str(directory),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_user,
        )  # fmt: skip
        try:
            wait_for_port(port, timeout=30)
            # Listening comes a moment before accepting connections.
            deadline = time.monotonic() + 30
            while not _ready(port):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"PostgreSQL on port {port} does not accept connections")
                time.sleep(0.1)
            yield PostgresServer(port, directory, process)
        finally:
            stop_process(process)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole session."""
    with running_postgres() as server:
        yield server
