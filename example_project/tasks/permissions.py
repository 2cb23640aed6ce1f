"""Who may do what, beyond the IsAuthenticated default that harden() sets."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from drf_hardening.conf import conf


class IsOwner(BasePermission):
    """Object-level guard behind the owner-scoped querysets (defence in depth).

    The task views never fetch another user's task (they answer 404), so this
    never fires today; if a future view forgets to scope its queryset, it turns
    a leak into a 403.
    """

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return bool(obj.created_by_id == request.user.pk)


class DocsAccess(BasePermission):
    """The schema and docs pages: anyone under ``development``, staff only otherwise.

    Reads the profile per request (``conf.PROFILE``), so it follows the settings
    of the running process, including ``override_settings`` in tests.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if conf.PROFILE == "development":
            return True
        return bool(request.user and request.user.is_staff)
