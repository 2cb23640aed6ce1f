"""Every check, in the order they run.

The rate checks come last because they spend the quota that the others would
need. A new check gets a new id: an id is never reused or renamed.
"""

from __future__ import annotations

from drf_hardening.probe.checks import auth, cors, errors, headers, input, rate, transport
from drf_hardening.probe.model import Check

CHECKS: tuple[Check, ...] = (
    *transport.CHECKS,
    *headers.CHECKS,
    *cors.CHECKS,
    *errors.CHECKS,
    *input.CHECKS,
    *auth.CHECKS,
    *rate.CHECKS,
)
