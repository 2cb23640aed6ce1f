"""Install the built wheel into a clean venv and check what it holds.

Usage: python .ci/check_package.py DIST_DIR
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path


def main(dist: Path) -> None:
    (wheel,) = dist.glob("drf_hardening-*.whl")
    tops = {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist()}
    packages = {top for top in tops if not top.endswith(".dist-info")}
    if packages != {"drf_hardening"}:
        sys.exit(f"the wheel must hold only drf_hardening, it holds {sorted(packages)}")
    names = zipfile.ZipFile(wheel).namelist()
    if "drf_hardening/py.typed" not in names:
        sys.exit("the wheel has no drf_hardening/py.typed")
    with tempfile.TemporaryDirectory() as tmp:
        venv.create(tmp, with_pip=True)
        python = str(Path(tmp) / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", str(wheel)], check=True)
        probe = (
            "import importlib.util, drf_hardening;"
            "assert importlib.util.find_spec('tests') is None, 'tests is installed';"
            "assert importlib.util.find_spec('example_project') is None,"
            " 'example_project is installed';"
            "print('imported', drf_hardening.__name__, 'from', drf_hardening.__file__)"
        )
        subprocess.run([python, "-c", probe], check=True, cwd=tmp)
    print(f"{wheel.name}: holds only drf_hardening, installs and imports in a clean venv")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
