"""drf-hardening: harden a Django REST framework API in one settings call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drf_hardening.presets.merge import harden

__all__ = ["harden"]


def __getattr__(name: str) -> Any:
    # Imported on first use (PEP 562): ``drf-hardening probe`` imports this package too,
    # and must run on a machine without Django.
    if name == "harden":
        from drf_hardening.presets.merge import harden

        return harden
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
