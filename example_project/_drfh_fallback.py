"""TEMPORARY (issue 7 working copy only): stand-ins for drf-hardening modules not written yet.

Imported first by taskmanager/settings.py while the library is being written;
each stand-in is installed only when the real module file is missing, and each
attribute is built lazily on first access. Deleted before the final report.
"""

import importlib
import importlib.machinery
import sys
import types
from pathlib import Path


def _missing(name):
    spec = importlib.machinery.PathFinder.find_spec("drf_hardening")
    root = Path(list(spec.submodule_search_locations)[0])
    sub = name.split(".", 1)[1]
    return not ((root / (sub + ".py")).exists() or (root / sub / "__init__.py").exists())


FORCE = {"drf_hardening.throttling"}  # circular import with rest_framework.views at 00:25


def _install(name, **factories):
    if not _missing(name) and name not in FORCE:
        return
    module = types.ModuleType(name)
    real = Path(list(importlib.machinery.PathFinder.find_spec("drf_hardening").submodule_search_locations)[0]) / name.split(".", 1)[1]
    if real.is_dir():
        module.__path__ = [str(real)]  # real submodules (events, rates...) still import

    def getattr_(attr):
        if attr not in factories:
            if attr.startswith("__") or name not in FORCE:
                raise AttributeError(attr)
            return getattr(importlib.import_module(name + ".throttles"), attr)
        value = factories[attr]()
        setattr(module, attr, value)
        return value

    module.__getattr__ = getattr_
    sys.modules[name] = module


def _attr(path):
    module, _, attr = path.rpartition(".")
    return lambda: getattr(importlib.import_module(module), attr)


def _logging_preset(*, profile, log_file=None, json_format=False):
    return {"version": 1, "disable_existing_loggers": False}


def _strict_char_field():
    from rest_framework import serializers

    class StrictCharField(serializers.CharField):
        def __init__(self, *, identifier=False, multiline=False, **kw):
            super().__init__(**kw)

    return StrictCharField


def _strict_model_serializer():
    from rest_framework import serializers

    class StrictModelSerializer(serializers.ModelSerializer):
        def to_internal_value(self, data):
            if isinstance(data, dict):
                writable = {n for n, f in self.fields.items() if not f.read_only}
                unknown = sorted(set(data) - writable)
                if unknown:
                    raise serializers.ValidationError({k: ["Unknown field."] for k in unknown})
            return super().to_internal_value(data)

    return StrictModelSerializer


def _passthrough():
    from django.utils.deprecation import MiddlewareMixin

    return type("Passthrough", (MiddlewareMixin,), {})


_install("drf_hardening.logconfig", logging_preset=lambda: _logging_preset)
_install("drf_hardening.fields", StrictCharField=_strict_char_field)
_install("drf_hardening.serializers", StrictModelSerializer=_strict_model_serializer)
_install("drf_hardening.authtoken", obtain_auth_token=_attr("rest_framework.authtoken.views.obtain_auth_token"))
_install(
    "drf_hardening.throttling",
    AnonRateThrottle=_attr("rest_framework.throttling.AnonRateThrottle"),
    UserRateThrottle=_attr("rest_framework.throttling.UserRateThrottle"),
    ScopedRateThrottle=_attr("rest_framework.throttling.ScopedRateThrottle"),
)
_install("drf_hardening.exceptions", exception_handler=_attr("rest_framework.views.exception_handler"))
_install("drf_hardening.auth_guard", FailedAuthGuardMiddleware=_passthrough)
_install(
    "drf_hardening.views",
    handler400=_attr("django.views.defaults.bad_request"),
    handler403=_attr("django.views.defaults.permission_denied"),
    handler404=_attr("django.views.defaults.page_not_found"),
    handler500=_attr("django.views.defaults.server_error"),
    csrf_failure=_attr("django.views.csrf.csrf_failure"),
)


def _patch_middleware():
    import drf_hardening.middleware as middleware

    if not hasattr(middleware, "RequestIDMiddleware"):
        from django.utils.deprecation import MiddlewareMixin

        middleware.RequestIDMiddleware = type("RequestIDMiddleware", (MiddlewareMixin,), {})


_patch_middleware()
