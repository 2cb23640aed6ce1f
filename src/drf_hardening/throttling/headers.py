"""``RateLimit-Policy`` and ``RateLimit`` fields (draft-ietf-httpapi-ratelimit-headers-10).

``RateLimit-Policy: "user";q=100;w=60`` states the quota; ``RateLimit:
"user";r=42;t=18`` says 42 requests are left and the window resets in 18 s.
Both are Structured Field Lists, so a view with several throttles sends one
item per throttle in each field.

DRF's throttle API has no response hook, but ``APIView.dispatch`` copies the
view's ``headers`` dict onto every response it finalizes, errors included, so
a throttle adds its fields there: no mixin, middleware or setting needed.
"""

from __future__ import annotations

import math
import re
from collections.abc import MutableMapping

_NOT_SF_STRING = re.compile(r"[^\x20-\x21\x23-\x5b\x5d-\x7e]")


def policy_name(scope: str) -> str:
    """``scope`` as an RFC 8941 String: printable ASCII without ``"`` and ``\\``."""
    return '"' + _NOT_SF_STRING.sub("_", scope) + '"'


def add_ratelimit_headers(
    headers: MutableMapping[str, str],
    scope: str,
    limit: int,
    duration: int,
    remaining: int,
    reset_ms: int,
) -> None:
    """Append this throttle's items to ``headers`` (the ``headers`` of the view)."""
    name = policy_name(scope)
    items = {
        "RateLimit-Policy": f"{name};q={limit};w={duration}",
        "RateLimit": f"{name};r={max(remaining, 0)};t={math.ceil(reset_ms / 1000)}",
    }
    for field, item in items.items():
        headers[field] = f"{headers[field]}, {item}" if headers.get(field) else item
