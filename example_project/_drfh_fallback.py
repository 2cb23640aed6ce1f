"""TEMPORARY (issue 7 working copy only): stand-ins for drf-hardening modules not written yet.

Imported first by taskmanager/settings.py while the library is being written;
each stand-in is installed only when the real module file is missing, and its
attributes are built lazily (after Django is set up). Deleted before the final report.
"""

import importlib
import importlib.machinery
import sys
import types
from pathlib import Path


def _missing(name: str) -> bool:
    spec = importlib.machinery.PathFinder.find_spec("drf_hardening")
    root = Path(list(spec.submodule_search_locations)[0])
    return not (root / (name.split(".", 1)[1] + ".py")).exists()


def _install(name, factory):
    if not _missing(name):
        return
    module = types.ModuleType(name)
    module.__getattr__ = lambda attr: factory()[attr]
    sys.modules[name] = module


def _logconfig():
    def logging_preset(*, profile, log_file=None, json_format=False):
        return {"version": 1, "disable_existing_loggers": False}
    return {"logging_preset": logging_preset}


def _parts():
    from django.utils.deprecation import MiddlewareMixin
    from rest_framework import pagination, serializers, throttling, views
    from rest_framework.authtoken.views import obtain_auth_token

    class StrictCharField(serializers.CharField):
        def __init__(self, *, identifier=False, multiline=False, **kw):
            super().__init__(**kw)

    class StrictModelSerializer(serializers.ModelSerializer):
        def to_internal_value(self, data):
            if isinstance(data, dict):
                writable = {n for n, f in self.fields.items() if not f.read_only}
                unknown = sorted(set(data) - writable)
                if unknown:
                    raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
            return super().to_internal_value(data)

    class PageNumberPagination(pagination.PageNumberPagination):
        page_size_query_param = "page_size"
        max_page_size = 100

    class Passthrough(MiddlewareMixin):
        pass

    return {
        "StrictCharField": StrictCharField,
        "StrictModelSerializer": StrictModelSerializer,
        "obtain_auth_token": obtain_auth_token,
        "AnonRateThrottle": throttling.AnonRateThrottle,
        "UserRateThrottle": throttling.UserRateThrottle,
        "ScopedRateThrottle": throttling.ScopedRateThrottle,
        "exception_handler": views.exception_handler,
        "PageNumberPagination": PageNumberPagination,
        "FailedAuthGuardMiddleware": Passthrough,
        "RequestIDMiddleware": Passthrough,
    }


_install("drf_hardening.logconfig", _logconfig)
for _name in ("fields", "serializers", "authtoken", "throttling", "exceptions", "pagination", "auth_guard"):
    _install(f"drf_hardening.{_name}", _parts)
