"""The id of the request being handled, for error bodies, response headers and log records.

``RequestIDMiddleware`` sets it for the duration of a request; code that logs
without the request at hand (a task helper, a model method) still gets it in
its records through ``drf_hardening.logging.RequestIDFilter``. A context
variable rather than a thread-local, so that it also follows async views and
``sync_to_async`` hops.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

_current: ContextVar[str | None] = ContextVar("drf_hardening_request_id", default=None)

#: What an id sent by a client or a proxy must look like to be kept: 8 to 128
#: characters of letters, digits and ``. _ : = + / @ -``. That admits UUIDs,
#: nginx's ``$request_id``, Heroku's and AWS's trace ids, and keeps anything
#: that could break a log line, a header or a JSON reader out.
WELL_FORMED = re.compile(r"[A-Za-z0-9._:=+/@-]{8,128}")


def get_request_id() -> str | None:
    """Return the id of the request being handled, or ``None`` outside a request."""
    return _current.get()


def is_well_formed(value: str) -> bool:
    """Whether an incoming id may be reused as it is (see ``WELL_FORMED``)."""
    return WELL_FORMED.fullmatch(value) is not None


def generate_request_id() -> str:
    """A new random id: 32 hexadecimal characters (a UUID4 without dashes)."""
    return uuid.uuid4().hex


def set_request_id(value: str | None) -> Token[str | None]:
    """Make ``value`` the current id; give the token to ``reset_request_id`` afterwards."""
    return _current.set(value)


def reset_request_id(token: Token[str | None]) -> None:
    """Restore the id that was current before ``set_request_id`` returned ``token``."""
    _current.reset(token)
