"""Checks W100 and W101 (drf_hardening.checks.openapi), one test per condition."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.checks import run_checks

from drf_hardening import names
from drf_hardening.checks.openapi import CHECKS
from drf_hardening.openapi import AutoSchema

SCHEMA_CLASS = "drf_hardening.openapi.AutoSchema"


class Subclass(AutoSchema):
    pass


def check_ids() -> list[str]:
    return [message.id for check in CHECKS for message in check() if message.id]


@pytest.fixture
def documented(settings: Any) -> Any:
    settings.REST_FRAMEWORK = {
        "DEFAULT_SCHEMA_CLASS": SCHEMA_CLASS,
        "EXCEPTION_HANDLER": names.EXCEPTION_HANDLER,
    }
    settings.SPECTACULAR_SETTINGS = {"COMPONENT_SPLIT_REQUEST": True}
    return settings


def test_defaults_pass(documented: Any) -> None:
    assert check_ids() == []


def test_projects_without_the_schema_class_are_not_checked(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "rest_framework.views.exception_handler"}
    assert check_ids() == []


def test_w100_another_exception_handler(documented: Any) -> None:
    documented.REST_FRAMEWORK["EXCEPTION_HANDLER"] = "rest_framework.views.exception_handler"
    assert check_ids() == ["drf_hardening.W100"]


def test_w100_also_for_a_subclass_of_the_schema(documented: Any) -> None:
    documented.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "tests.openapi.test_checks.Subclass"
    del documented.REST_FRAMEWORK["EXCEPTION_HANDLER"]
    assert check_ids() == ["drf_hardening.W100"]


@pytest.mark.parametrize("spectacular", [None, {}, {"COMPONENT_SPLIT_REQUEST": False}])
def test_w101_request_components_not_split(documented: Any, spectacular: Any) -> None:
    if spectacular is None:
        del documented.SPECTACULAR_SETTINGS
    else:
        documented.SPECTACULAR_SETTINGS = spectacular
    assert check_ids() == ["drf_hardening.W101"]


def test_an_unimportable_schema_class_is_left_to_drf(documented: Any) -> None:
    documented.REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "nowhere.Schema"
    documented.SPECTACULAR_SETTINGS = {}
    assert check_ids() == []


def test_checks_are_bound(documented: Any) -> None:
    documented.REST_FRAMEWORK = {
        "DEFAULT_SCHEMA_CLASS": SCHEMA_CLASS,
        "EXCEPTION_HANDLER": "rest_framework.views.exception_handler",
    }
    assert "drf_hardening.W100" in [message.id for message in run_checks()]
