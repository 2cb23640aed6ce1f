"""The throttles for async views (adrf): ``allow_request`` is a coroutine function.

adrf's ``APIView`` awaits a throttle whose ``allow_request`` is a coroutine
function, on the event loop, and calls any other in a worker thread. These are
the library's throttles with every step shared (``begin``, ``conclude``) and the
count awaited (``aio.acount``: ``redis.asyncio``, the same script, one round trip).

Only for adrf views: DRF's own ``APIView`` calls ``allow_request`` without
awaiting it, and a coroutine is truthy, so it would allow every request. Keep the
sync classes in ``DEFAULT_THROTTLE_CLASSES`` and set these as the async views'
``throttle_classes`` (docs/scaling.md, "ASGI").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_hardening.throttling.aio import acount
from drf_hardening.throttling.throttles import (
    AnonRateThrottle,
    ScopedRateThrottle,
    SimpleRateThrottle,
    UserRateThrottle,
)

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class AsyncThrottleMixin:
    """Put first in the bases of a ``SimpleRateThrottle`` subclass to make it async."""

    async def allow_request(self, request: Request, view: APIView) -> bool:
        throttle: Any = self
        key = throttle.begin(request, view)
        if key is None:
            return True
        return bool(throttle.conclude(await acount(throttle, key), request, view))


class AsyncSimpleRateThrottle(AsyncThrottleMixin, SimpleRateThrottle):  # type: ignore[misc]  # allow_request is async, as adrf wants
    """``SimpleRateThrottle`` for adrf views."""


class AsyncAnonRateThrottle(AsyncThrottleMixin, AnonRateThrottle):  # type: ignore[misc]  # allow_request is async, as adrf wants
    """``AnonRateThrottle`` for adrf views: the same keys, so both count together."""


class AsyncUserRateThrottle(AsyncThrottleMixin, UserRateThrottle):  # type: ignore[misc]  # allow_request is async, as adrf wants
    """``UserRateThrottle`` for adrf views: the same keys, so both count together."""


class AsyncScopedRateThrottle(AsyncThrottleMixin, ScopedRateThrottle):  # type: ignore[misc]  # allow_request is async, as adrf wants
    """``ScopedRateThrottle`` for adrf views: the same keys, so both count together."""
