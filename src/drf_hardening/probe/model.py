"""What a check is and what it reports."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drf_hardening.probe.context import Context


class Status(str, enum.Enum):
    PASS = "PASS"  # noqa: S105 (a status, not a password)
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Result:
    """The outcome of one check: a status and one line of evidence."""

    status: Status
    evidence: str


def passed(evidence: str) -> Result:
    return Result(Status.PASS, evidence)


def failed(evidence: str) -> Result:
    return Result(Status.FAIL, evidence)


def skipped(evidence: str) -> Result:
    return Result(Status.SKIP, evidence)


@dataclass(frozen=True)
class Check:
    """A check with a stable id (``concern.name``), a title and the function that runs it.

    The id never changes meaning and is never reused: CI configurations,
    ``--only`` and SARIF rule ids refer to it.
    """

    id: str
    title: str
    run: Callable[[Context], Result]

    @property
    def concern(self) -> str:
        return self.id.partition(".")[0]


@dataclass(frozen=True)
class Outcome:
    """A check together with its result, as the report prints it."""

    check: Check
    result: Result
