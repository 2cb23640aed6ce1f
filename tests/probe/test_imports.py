"""The probe needs no Django: it runs from any machine, against any API.

Two guards: no module of the probe imports Django, DRF or the rest of the
library (read from the source), and ``python -m drf_hardening probe`` runs in a
process where ``import django`` and ``import rest_framework`` fail.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.e2e.components import ROOT
from tests.probe.fake_api import GOOD_HEADERS, Reply, Request, serve

PACKAGE = ROOT / "src" / "drf_hardening"
PROBE_FILES = [*sorted((PACKAGE / "probe").rglob("*.py")), PACKAGE / "__main__.py"]
#: What the probe may import besides the standard library.
ALLOWED = ("httpx", "drf_hardening.probe")


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def is_allowed(name: str) -> bool:
    top = name.partition(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    return any(name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED)


def test_probe_modules_import_only_stdlib_httpx_and_the_probe() -> None:
    found = {
        path.name: sorted(n for n in imported(path) if not is_allowed(n)) for path in PROBE_FILES
    }

    assert len(PROBE_FILES) > 10
    assert {name: bad for name, bad in found.items() if bad} == {}


def test_python_m_drf_hardening_probe_runs_without_django() -> None:
    code = (
        "import runpy, sys\n"
        "sys.modules['django'] = sys.modules['rest_framework'] = None\n"
        "sys.argv = ['drf_hardening', *sys.argv[1:]]\n"
        "runpy.run_module('drf_hardening', run_name='__main__', alter_sys=True)\n"
    )

    def app(request: Request) -> Reply:
        return Reply.json(200, {}, **GOOD_HEADERS)

    with serve(app) as api:
        done = subprocess.run(
            [sys.executable, "-c", code, "probe", api.url, "--only", "headers"],
            capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip

    assert done.returncode == 0, done.stderr
    assert "5 passed, 0 failed, 0 skipped" in done.stdout
    assert "django" not in done.stderr.lower()
