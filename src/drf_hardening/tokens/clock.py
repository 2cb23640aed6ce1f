"""The clock of every token decision (issue, expiry, idle time, ``last_used``).

Tests replace it, e.g. ``monkeypatch.setattr("drf_hardening.tokens.clock.now", lambda: when)``;
the library always calls it as ``clock.now()`` so that the replacement is seen.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current time (aware when ``USE_TZ``); replaceable in tests."""
    return timezone.now()
