"""Run the probe in this process and read its JSON report."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drf_hardening.probe.cli import main


@dataclass(frozen=True)
class Report:
    """What ``drf-hardening probe --json`` printed, and its exit status."""

    exit_code: int
    document: dict[str, Any]

    @property
    def statuses(self) -> dict[str, str]:
        return {check["id"]: check["status"] for check in self.document["checks"]}

    def with_status(self, status: str) -> set[str]:
        return {name for name, found in self.statuses.items() if found == status}

    @property
    def sent(self) -> int:
        return int(self.document["requests"]["sent"])

    def evidence(self, check_id: str) -> str:
        (found,) = [c["evidence"] for c in self.document["checks"] if c["id"] == check_id]
        return str(found)


def run_probe(url: str, *args: str) -> Report:
    """``drf-hardening probe URL ARGS --json``, in this process, through ``main``."""
    out = io.StringIO()
    code = main(["probe", url, "--json", *args], stdout=out)
    return Report(code, json.loads(out.getvalue()))


def documented_statuses() -> dict[str, dict[str, str]]:
    """docs/probe.md's side-by-side table: ``{"hardened": {id: status}, "tutorial": {...}}``."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "probe.md").read_text()
    rows = re.findall(r"^\| `([\w.-]+)` \| (PASS|FAIL|SKIP) \| (PASS|FAIL|SKIP) \|$", text, re.M)
    return {
        "hardened": {check: hardened for check, hardened, _ in rows},
        "tutorial": {check: tutorial for check, _, tutorial in rows},
    }
