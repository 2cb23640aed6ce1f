"""The one polling loop of the suites' helpers: wait for a process to be ready, or give up.

Only helpers that start servers use it (is it listening, has it replicated); a test's
assertions never depend on how long something took.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

#: Between two calls of the predicate.
INTERVAL = 0.05


def wait_until(
    predicate: Callable[[], object],
    what: str,
    timeout: float,
    *,
    ignore: tuple[type[Exception], ...] = (),
) -> None:
    """Return once ``predicate()`` is true; past ``timeout`` seconds raise ``TimeoutError``.

    ``what`` says what did not happen ("gunicorn does not answer"). An exception of a type
    in ``ignore`` counts as false (a server that is starting refuses connections).
    """
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(*ignore):
            if predicate():
                return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} after {timeout}s")
        time.sleep(INTERVAL)
