"""Run the checks: one result each, whatever happens inside a check."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from drf_hardening.probe.context import Context
from drf_hardening.probe.http import BudgetSpent, ProbeError, TLSFailure
from drf_hardening.probe.model import Check, Outcome, Result, failed, skipped


def select(checks: Sequence[Check], only: Sequence[str]) -> list[Check]:
    """The checks named by ``--only``: ids (``cors.credentials``) or concerns (``cors``)."""
    if not only:
        return list(checks)
    known = {check.id for check in checks} | {check.concern for check in checks}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise ProbeError(
            f"unknown check {', '.join(unknown)}; the ids are: "
            + ", ".join(check.id for check in checks)
        )
    return [check for check in checks if check.id in only or check.concern in only]


def reachable(ctx: Context) -> None:
    """Stop with exit status 2 when the URL itself cannot be probed."""
    try:
        response = ctx.base()
    except TLSFailure:
        return  # transport.tls reports it; the other checks are skipped
    except httpx.TransportError as error:
        raise ProbeError(f"{ctx.url} does not answer: {error or type(error).__name__}") from error
    if response.is_redirect:
        location = response.headers.get("location", "")
        raise ProbeError(f"{ctx.url} redirects to {location}: probe that URL instead")


def run(ctx: Context, checks: Sequence[Check]) -> list[Outcome]:
    reachable(ctx)
    outcomes: list[Outcome] = []
    tls_error: str | None = None
    for check in checks:
        if tls_error is not None:
            result = skipped("not run: the TLS connection failed (transport.tls)")
        else:
            try:
                result = check.run(ctx)
            except TLSFailure as error:
                tls_error = str(error)
                result = failed(f"TLS failed: {tls_error} (--cafile, or --insecure to go on)")
            except BudgetSpent as error:
                result = skipped(str(error))
            except httpx.TransportError as error:
                result = failed(f"no answer: {type(error).__name__}: {error}")
        outcomes.append(Outcome(check, _one_line(result)))
    return outcomes


def _one_line(result: Result) -> Result:
    return Result(result.status, " ".join(result.evidence.split()))
