"""System checks of drf-hardening, one submodule per concern.

Ids are stable and never reused (django-cors-headers once gave E013 to two
different problems). Ranges, so that each concern can add ids without
touching the others:

- ``E001``-``E019`` / ``W001``-``W019``: CORS and middleware order (``cors``); hosts, HTTPS,
  DRF defaults and list-typed settings (``settings``)
- ``E020``-``E039`` / ``W020``-``W039``: throttling and client IP (``throttling``)
- ``E040``-``E059`` / ``W040``-``W059``: strict input (``input``)
- ``E060``-``E079`` / ``W060``-``W079``: errors, request ids and logging (``errors``)
- ``E080``-``E099`` / ``W080``-``W099``: tokens and authentication (``auth``, ``basic``)
- ``E100``-``E119`` / ``W100``-``W119``: the OpenAPI schema (``openapi``)
- ``E120``-``E139`` / ``W120``-``W139``: throttling, continued (``throttling``)

The value of every ``DRF_HARDENING`` key is checked in one place, ``conf``,
under an id from its concern's range (``E027`` for ``TRUSTED_PROXIES``...).

Every id is listed in ``docs/checks.md``.
"""

from __future__ import annotations

from django.core import checks

from drf_hardening.checks import auth as _auth
from drf_hardening.checks import basic as _basic
from drf_hardening.checks import conf as _conf
from drf_hardening.checks import cors as _cors
from drf_hardening.checks import errors as _errors
from drf_hardening.checks import input as _input
from drf_hardening.checks import openapi as _openapi
from drf_hardening.checks import settings as _settings
from drf_hardening.checks import store as _store
from drf_hardening.checks import throttling as _throttling

#: Every check function of the package, registered by ``register_checks``.
ALL_CHECKS = [
    *_conf.CHECKS,
    *_cors.CHECKS,
    *_settings.CHECKS,
    *_errors.CHECKS,
    *_throttling.CHECKS,
    *_store.CHECKS,
    *_input.CHECKS,
    *_auth.CHECKS,
    *_basic.CHECKS,
    *_openapi.CHECKS,
]


#: Checks that connect to a service: only under ``check --deploy``.
DEPLOY_CHECKS = [*_store.DEPLOY_CHECKS]


def register_checks() -> None:
    for check in ALL_CHECKS:
        checks.register(check, checks.Tags.security)
    for check in DEPLOY_CHECKS:
        checks.register(check, checks.Tags.security, deploy=True)
