"""Throttles that hold under attack: drop-in replacements for DRF's.

- atomic: one server-side step per decision (a Lua script on Redis,
  ``incr`` on memcached), so concurrent workers cannot overshoot the limit;
- constant memory: two integers per key, whatever the rate;
- spoof-proof identity: ``drf_hardening.client_ip``, never the raw
  ``X-Forwarded-For``;
- rates read at request time, with multiples (``"100/5m"``);
- ``RateLimit-Policy``/``RateLimit`` headers and a security event per refusal;
- a store outage is never a 500 (``THROTTLE_FAIL_OPEN``).

docs/throttling.md explains the algorithm and what it guarantees.
"""

from drf_hardening.throttling.login import LoginRateThrottle
from drf_hardening.throttling.rates import Rate, parse_rate
from drf_hardening.throttling.throttles import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    ThrottleStoreUnavailable,
    UserRateThrottle,
)

__all__ = [
    "AnonRateThrottle",
    "LoginRateThrottle",
    "Rate",
    "ScopedRateThrottle",
    "SimpleRateThrottle",
    "ThrottleStoreUnavailable",
    "UserRateThrottle",
    "parse_rate",
]
