"""drf_hardening.checks.input: each id fires on the setting it names, and stays quiet otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from drf_hardening.checks import ALL_CHECKS
from drf_hardening.checks import input as checks
from tests.helpers import check_ids

OUR_PARSER = "drf_hardening.parsers.JSONParser"


@pytest.fixture
def hardened(settings: Any) -> Any:
    settings.DRF_HARDENING = {"PROFILE": "production"}
    settings.REST_FRAMEWORK = {"DEFAULT_PARSER_CLASSES": [OUR_PARSER]}
    return settings


def test_input_checks_are_bound() -> None:
    assert checks.check_parsers in ALL_CHECKS
    assert checks.check_body_cap in ALL_CHECKS


def test_input_checks_pass_on_hardened_settings(hardened: Any) -> None:
    assert check_ids(checks.check_parsers, checks.check_body_cap) == []


def test_w040_form_parsers_under_a_profile(hardened: Any) -> None:
    hardened.REST_FRAMEWORK = {
        "DEFAULT_PARSER_CLASSES": [OUR_PARSER, "rest_framework.parsers.MultiPartParser"]
    }
    [message] = checks.check_parsers()
    assert message.id == "drf_hardening.W040"
    assert "MultiPartParser" in message.msg
    assert "DEFAULT_PARSER_CLASSES" in (message.hint or "")


def test_w040_and_w041_when_parsers_are_drf_defaults(hardened: Any) -> None:
    hardened.REST_FRAMEWORK = {}
    assert check_ids(checks.check_parsers) == ["drf_hardening.W040", "drf_hardening.W041"]
    hardened.REST_FRAMEWORK = None
    assert check_ids(checks.check_parsers) == ["drf_hardening.W040", "drf_hardening.W041"]


def test_w041_drf_json_parser_under_a_profile(hardened: Any) -> None:
    hardened.REST_FRAMEWORK = {"DEFAULT_PARSER_CLASSES": ("rest_framework.parsers.JSONParser",)}
    [message] = checks.check_parsers()
    assert message.id == "drf_hardening.W041"
    assert OUR_PARSER in (message.hint or "")


def test_parser_checks_quiet_without_a_profile(settings: Any) -> None:
    settings.DRF_HARDENING = {}
    settings.REST_FRAMEWORK = {}
    assert check_ids(checks.check_parsers) == []


def test_parser_checks_leave_a_string_to_e011(hardened: Any) -> None:
    hardened.REST_FRAMEWORK = {"DEFAULT_PARSER_CLASSES": OUR_PARSER}
    assert check_ids(checks.check_parsers) == []


def test_w042_no_body_cap(settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    [message] = checks.check_body_cap()
    assert message.id == "drf_hardening.W042"
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in message.msg


def test_w042_reported_by_manage_check(settings: Any, capsys: pytest.CaptureFixture[str]) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    call_command("check")
    assert "drf_hardening.W042" in capsys.readouterr().err
