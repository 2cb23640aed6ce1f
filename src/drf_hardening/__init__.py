"""drf-hardening: harden a Django REST framework API in one settings call."""

from drf_hardening.hardening import harden

__all__ = ["harden"]
