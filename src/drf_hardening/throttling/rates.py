"""The rate grammar: DRF's ``"100/minute"``, plus multiples such as ``"100/5m"``.

DRF reads only the first letter of the period, so ``"100/month"`` silently
means 100 per *minute* and ``"100/5m"`` raises ``KeyError`` (a 500) on the
first request. Here a rate either parses to exactly what it says or is
rejected as a whole, by the system checks (``drf_hardening.E020``-``E022``)
before the first request is served.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

#: Seconds per unit, for every spelling accepted (DRF's first letters included).
UNITS = {
    **dict.fromkeys(["s", "sec", "secs", "second", "seconds"], 1),
    **dict.fromkeys(["m", "min", "mins", "minute", "minutes"], 60),
    **dict.fromkeys(["h", "hr", "hrs", "hour", "hours"], 3600),
    **dict.fromkeys(["d", "day", "days"], 86400),
}
_RATE = re.compile(r"(?P<num>[0-9]+)/(?P<mult>[0-9]*)(?P<unit>[a-z]+)")


class Rate(NamedTuple):
    """``num_requests`` allowed per ``duration`` seconds."""

    num_requests: int
    duration: int


def parse_rate(rate: str) -> Rate:
    """Parse ``"<requests>/[<multiple>]<unit>"``; raise ``ValueError`` when malformed.

    ``"100/minute"``, ``"50/min"``, ``"5/s"``, ``"100/5m"``, ``"10/30s"`` and
    ``"1000/12h"`` are valid; ``"100/month"``, ``"100/0m"``, ``"-1/s"``,
    ``"100 per minute"`` are not.
    """
    if not isinstance(rate, str):
        raise ValueError(f"{rate!r} is not a rate: a rate is a string such as '100/minute'")
    return _parse(rate)


@lru_cache(maxsize=256)  # a project has a handful of rates, parsed on every request
def _parse(rate: str) -> Rate:
    match = _RATE.fullmatch(rate.strip().lower())
    if match is None or match["unit"] not in UNITS:
        units = "s, sec, second(s), m, min, minute(s), h, hr, hour(s), d, day(s)"
        raise ValueError(
            f"{rate!r} is not a rate: write '<requests>/<period>' such as '100/minute' "
            f"or '100/5m', with a period in {units}"
        )
    multiple = int(match["mult"] or 1)
    if multiple == 0:
        raise ValueError(f"{rate!r} is not a rate: its period is zero seconds")
    return Rate(int(match["num"]), multiple * UNITS[match["unit"]])
