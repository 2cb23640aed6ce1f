"""The report: a table for people, JSON and SARIF 2.1.0 for CI."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drf_hardening.probe.model import Check, Outcome, Status

DOCS = "https://github.com/drf-hardening/drf-hardening/blob/main/docs/probe.md"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: The docs/probe.md section of each concern.
ANCHORS = {"host": "headers", "auth": "rate"}
SARIF_KIND = {Status.PASS: "pass", Status.FAIL: "fail", Status.SKIP: "notApplicable"}


@dataclass(frozen=True)
class Run:
    """One probe run, as reported."""

    url: str
    outcomes: Sequence[Outcome]
    sent: int
    max_requests: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return 1 if any(o.result.status is Status.FAIL for o in self.outcomes) else 0

    def count(self, status: Status) -> int:
        return sum(o.result.status is status for o in self.outcomes)


def table(run: Run, width: int | None = None) -> str:
    """One line per check; evidence cut to ``width`` columns (a terminal's), else whole."""
    id_width = max((len(o.check.id) for o in run.outcomes), default=10)
    lines = [f"drf-hardening probe {run.url}", ""]
    for outcome in run.outcomes:
        evidence = outcome.result.evidence
        room = max((width or 0) - id_width - 8, 20)
        if width and len(evidence) > room:
            evidence = evidence[: room - 3] + "..."
        lines.append(f"{outcome.check.id:<{id_width}}  {outcome.result.status.value}  {evidence}")
    lines += [
        "",
        f"{run.count(Status.PASS)} passed, {run.count(Status.FAIL)} failed, "
        f"{run.count(Status.SKIP)} skipped; {run.sent} of {run.max_requests} requests "
        f"(--max-requests) in {run.seconds:.1f} s",
    ]
    return "\n".join(lines)


def as_json(run: Run) -> str:
    document = {
        "url": run.url,
        "exit_code": run.exit_code,
        "requests": {"sent": run.sent, "max": run.max_requests},
        "seconds": round(run.seconds, 2),
        "checks": [
            {
                "id": o.check.id,
                "title": o.check.title,
                "status": o.result.status.value,
                "evidence": o.result.evidence,
            }
            for o in run.outcomes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def sarif(run: Run, checks: Sequence[Check]) -> str:
    """SARIF 2.1.0: one rule per check, one result per check that ran (``kind`` pass/fail)."""
    rules = [
        {
            "id": check.id,
            "name": check.id.replace(".", "_").replace("-", "_"),
            "shortDescription": {"text": check.title},
            "helpUri": f"{DOCS}#{ANCHORS.get(check.concern, check.concern)}",
        }
        for check in checks
    ]
    index = {check.id: position for position, check in enumerate(checks)}
    results: list[dict[str, Any]] = [
        {
            "ruleId": o.check.id,
            "ruleIndex": index[o.check.id],
            "kind": SARIF_KIND[o.result.status],
            "level": "error" if o.result.status is Status.FAIL else "none",
            "message": {"text": o.result.evidence},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": run.url}}}],
        }
        for o in run.outcomes
    ]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "drf-hardening probe",
                        "informationUri": DOCS,
                        "rules": rules,
                    }
                },
                "results": results,
                "invocations": [{"executionSuccessful": True, "exitCode": run.exit_code}],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
