"""The tutorial's plain DRF project behind the same nginx: what the probe finds open.

``python -m scripts.probe_compare`` (tests.probe.compare.main) prints the reports and
the side-by-side table of docs/probe.md; this test runs it and holds the page to what it prints.
"""

from __future__ import annotations

import re

import pytest

from tests.probe import compare
from tests.probe.reports import documented_statuses

#: What the tutorial leaves open, each explained in docs/probe.md.
OPEN_IN_THE_TUTORIAL = {
    "headers.csp",
    "errors.404",
    "errors.413",
    "errors.shape",
    "errors.request-id",
    "errors.no-leak",
    "input.bidi",
    "input.zero-width",
    "rate.login",
}


@pytest.mark.e2e
@pytest.mark.redis
def test_compare_prints_the_documented_reports(capsys: pytest.CaptureFixture[str]) -> None:
    compare.main()
    out = capsys.readouterr().out

    hardened, tutorial = re.split(r"^## tutorial project .*$", out, flags=re.M)
    assert "(exit status 0)" in hardened
    assert "(exit status 1)" in tutorial
    found = compare.statuses(tutorial)
    assert {check for check, status in found.items() if status == "FAIL"} == OPEN_IN_THE_TUTORIAL
    # No anonymous endpoint answers 2xx: nothing to spoof X-Forwarded-For on.
    assert {check for check, status in found.items() if status == "SKIP"} == {"rate.forwarded-for"}
    assert documented_statuses() == {
        "hardened": compare.statuses(hardened),
        "tutorial": found,
    }
    # The lax endpoint created two tasks; the probe deleted both.
    assert tutorial.count("was accepted: 201; deleted https://") == 2
    # Token and password went through the environment, not the command line.
    assert "--password" not in out
    assert "--token" not in out
