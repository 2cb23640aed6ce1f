"""A plain ``pytest`` (the suite's own settings) collects nothing from tests/example.

tests/example needs the example project (``--ds=taskmanager.settings`` and
``PYTHONPATH=example_project``, as ``tox -e example`` runs it); its conftest makes every
other run pass over it instead of failing on ``import tasks``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.services import child_env

ROOT = Path(__file__).resolve().parent.parent


def test_tests_example_is_not_collected_under_the_suites_settings() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/example",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env=child_env({"DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}),
        capture_output=True,
        text=True,
        check=False,
    )
    # Exit code 5: no tests collected (and no error, which is 2).
    assert done.returncode == 5, done.stdout + done.stderr
    assert "no tests collected" in done.stdout
