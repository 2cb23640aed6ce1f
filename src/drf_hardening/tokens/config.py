"""The token settings as the app uses them, read through ``drf_hardening.conf`` at each call.

``conf`` serves a key's default while the project's value is invalid (and
``drf_hardening.checks.conf`` reports it, ``E080``-``E085``), so these never fail.
"""

from __future__ import annotations

from datetime import timedelta

from drf_hardening.conf import conf


def ttl() -> timedelta | None:
    """``TOKEN_TTL``: absolute lifetime of a new token; ``None`` = never expires."""
    return conf.duration("TOKEN_TTL")


def idle_ttl() -> timedelta | None:
    """``TOKEN_IDLE_TTL``: a token unused this long is expired; ``None`` = no idle limit."""
    return conf.duration("TOKEN_IDLE_TTL")


def legacy_ttl() -> timedelta | None:
    """``TOKEN_LEGACY_TTL``: lifetime of an imported DRF key, counted from the import."""
    return conf.duration("TOKEN_LEGACY_TTL")


def last_used_interval() -> timedelta:
    """``TOKEN_LAST_USED_INTERVAL``: ``last_used`` is written at most once per interval."""
    return conf.duration("TOKEN_LAST_USED_INTERVAL") or timedelta(0)


def prefix() -> str:
    """``TOKEN_PREFIX``: the first part of every new token."""
    return conf.TOKEN_PREFIX


def max_per_user() -> int | None:
    """``TOKEN_MAX_PER_USER``: a user's live tokens beyond it are revoked, oldest first."""
    return conf.TOKEN_MAX_PER_USER
