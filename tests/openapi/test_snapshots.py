"""The error components of each ERROR_FORMAT, against tests/openapi/snapshots/.

A failure shows the diff. When the change is deliberate, regenerate the files
(``python -m tests.openapi.snapshot``, see its docstring) and commit them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.openapi.conftest import FORMATS
from tests.openapi.snapshot import error_components, path_for, render
from tests.services import child_env


@pytest.mark.parametrize("error_format", FORMATS)
def test_error_components_match_the_snapshot(
    error_format: str, schema_for: Callable[..., dict[str, Any]]
) -> None:
    current = render(error_components(schema_for(error_format)))
    assert current == path_for(error_format).read_text()


def test_the_formats_differ() -> None:
    # A snapshot regenerated under the wrong setting would be caught here.
    assert len({path_for(error_format).read_text() for error_format in FORMATS}) == len(FORMATS)


def test_the_regeneration_command_writes_the_snapshots(tmp_path: Path) -> None:
    # The command of snapshot.py's docstring, run as a person would (its own settings, a
    # fresh interpreter), into a scratch folder: it writes exactly what the test compares with.
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-m", "tests.openapi.snapshot", str(tmp_path)],
        cwd=root,
        env=child_env({"DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(root)}),
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    for error_format in FORMATS:
        written = path_for(error_format, tmp_path)
        assert f"wrote {written}" in done.stdout
        assert written.read_text() == path_for(error_format).read_text()
