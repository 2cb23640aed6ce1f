"""drf-hardening: harden a Django REST framework API in one settings call."""

from drf_hardening.presets.merge import harden

__all__ = ["harden"]
