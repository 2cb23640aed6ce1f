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
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services import free_port, missing_service, stop_process, wait_for_port
from tests.waiting import wait_until

INSTALL = "apt-get install -y postgresql"
USER = "drfh"


#: Where Debian installs each major version's binaries, which are not on the PATH.
DEBIAN_ROOT = Path("/usr/lib/postgresql")


def binary(name: str, debian_root: Path = DEBIAN_ROOT) -> str | None:
    """``name`` on the PATH, else the newest under Debian's ``<debian_root>/<version>/bin``."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(debian_root.glob(f"*/bin/{name}"), key=lambda p: int(p.parents[1].name))
    return str(candidates[-1]) if candidates else None


@dataclass
class PostgresServer:
    """A server on 127.0.0.1:``port``; its user is ``USER``, trusted, its database postgres."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes]


def _ready(pg_isready: str, port: int) -> bool:
    done = subprocess.run(
        [pg_isready, "-h", "127.0.0.1", "-p", str(port), "-U", USER],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    initdb, server, pg_isready = binary("initdb"), binary("postgres"), binary("pg_isready")
    if not initdb or not server or not pg_isready:
        missing_service("PostgreSQL", INSTALL)
    directory = Path(tempfile.mkdtemp(prefix="drfh-pg-"))
    data = directory / "data"
    # The server refuses to run as root: there (CI), it runs as Debian's postgres user,
    # elsewhere as whoever runs the tests, the owner of the directory.
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    as_user: dict[str, Any] = {"user": owner.pw_uid, "group": owner.pw_gid}
    directory.chmod(0o755)
    os.chown(directory, owner.pw_uid, owner.pw_gid)
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
            wait_until(
                lambda: _ready(pg_isready, port), f"PostgreSQL on {port} refuses connections", 30
            )
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
