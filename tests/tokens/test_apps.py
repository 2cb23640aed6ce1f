"""The app config: the OpenAPI extension is loaded only when drf-spectacular is installed."""

from __future__ import annotations

import sys

import pytest
from django.apps import apps

import drf_hardening.tokens

EXTENSION = "drf_hardening.tokens.openapi"


def test_without_drf_spectacular_the_extension_is_not_imported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert EXTENSION in sys.modules  # imported at start-up: drf-spectacular is installed here
    # As if neither had happened (restored after the test), and drf-spectacular were absent.
    monkeypatch.delitem(sys.modules, EXTENSION)
    monkeypatch.delattr(drf_hardening.tokens, "openapi")
    monkeypatch.setattr("drf_hardening.tokens.apps.find_spec", lambda name: None)
    apps.get_app_config("drf_hardening_tokens").ready()
    assert EXTENSION not in sys.modules
