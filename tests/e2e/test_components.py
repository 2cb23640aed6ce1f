"""The suite's components when something goes wrong: what a failing test would report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.components import Gunicorn, Nginx, demo_token, manage
from tests.e2e.conftest import E2E_MARKS, WSGI_APP, nginx_binary

pytestmark = E2E_MARKS


def test_a_failed_manage_command_raises_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"manage\.py no_such_command failed") as raised:
        manage(f"sqlite:///{tmp_path}/db.sqlite3", "no_such_command")
    assert "Unknown command: 'no_such_command'" in str(raised.value)


def test_seed_output_without_a_token_raises() -> None:
    assert demo_token("Demo user: demo\nToken: 0123abcd\n") == "0123abcd"
    with pytest.raises(RuntimeError, match="seed_demo printed no token:\nno token here"):
        demo_token("no token here")


def test_a_gunicorn_never_started_has_no_entries_and_stops_quietly() -> None:
    gunicorn = Gunicorn(WSGI_APP, {})
    try:
        assert gunicorn.access_entries() == []
        gunicorn.stop()
        assert gunicorn.process is None
    finally:
        gunicorn.cleanup()
    assert not gunicorn.directory.exists()


def test_an_nginx_that_exits_at_start_fails_with_its_error_log() -> None:
    nginx = Nginx(upstream_port=0, binary=nginx_binary())  # port 0: a configuration error
    try:
        with pytest.raises(AssertionError, match="nginx exited;") as raised:
            nginx.start()
        assert 'invalid port in upstream "127.0.0.1:0"' in str(raised.value)
    finally:
        nginx.cleanup()
    assert nginx.process is None
    nginx.stop()  # stopped already: nothing to do
