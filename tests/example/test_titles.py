"""Task titles: what people write is accepted, what StrictCharField refuses stays refused.

``EXAMPLE_TITLE_RULE`` picks the rule when the project starts (``tasks/serializers.py``):
``text`` by default, ``tutorial`` for the DRF tutorial's letters-digits-spaces rule.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from drf_hardening.fields import StrictCharField
from tasks.models import Task
from tasks.serializers import TaskSerializer, title_field

pytestmark = pytest.mark.django_db

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"

ORDINARY = [
    "Buy milk, eggs & bread!",
    "Call O'Brien re: Q3-report",
    "Pay rent (€850) by 1/12",
    'Review PR #42: "fix <br> in footer"',
    "50% off? Ask @sam",
    "Réunion à 14h; salle B",
    "見積書を送る。",
    "Ship v2.0 🚀",
]

#: What StrictCharField refuses whatever ``allow=`` says, and the code it answers.
REFUSED = [
    ("ab", "too_short"),
    ("x" * 201, "too_long"),
    ("", "blank"),
    ("   ", "blank"),
    (123, "not_a_string"),
    ("bell\u0007!", "control_character"),
    ("Buy milk\x1b[31m!", "control_character"),
    ("Pay invoice\u202egnp.exe", "bidi_control"),
    ("zero\u200bwidth, really", "invisible_character"),
    ("line\u2028break", "line_separator"),
    ("private \ue000 use", "private_use_character"),
    ("unassigned \U000e0080 code", "unassigned_character"),
    ("Zalgo x\u0301\u0302\u0303\u0304\u0305", "too_many_combining_marks"),
]


def codes(response: Any) -> list[str]:
    return [entry["code"] for entry in response.json()["error"]["fields"]["title"]]


@pytest.mark.parametrize("title", ORDINARY)
def test_ordinary_titles_are_accepted(alice: Any, title: str) -> None:
    response = alice.post("/api/tasks/", {"title": title}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == title
    assert Task.objects.get().title == title


@pytest.mark.parametrize(("title", "code"), REFUSED)
def test_what_strictcharfield_refuses_is_refused(alice: Any, title: Any, code: str) -> None:
    response = alice.post("/api/tasks/", {"title": title}, format="json")
    assert response.status_code == 400
    assert codes(response) == [code]
    assert Task.objects.count() == 0


def test_the_default_rule_is_text() -> None:
    field = TaskSerializer().fields["title"]
    assert isinstance(field, StrictCharField)
    assert field.policy.allow is None


class TutorialTaskSerializer(TaskSerializer):
    title = title_field("tutorial")


@pytest.mark.parametrize(("title", "code"), REFUSED)
def test_tutorial_rule_refuses_the_same(title: Any, code: str) -> None:
    serializer = TutorialTaskSerializer(data={"title": title})
    assert not serializer.is_valid()
    assert [error.code for error in serializer.errors["title"]] == [code]


def test_tutorial_rule_is_letters_digits_and_spaces() -> None:
    assert TutorialTaskSerializer(data={"title": "Café façade 2"}).is_valid()
    for title in ORDINARY:
        serializer = TutorialTaskSerializer(data={"title": title})
        assert not serializer.is_valid()
        [error] = serializer.errors["title"]
        assert (error.code, str(error)) == (
            "disallowed_character",
            "Only digits, letters, spaces are allowed.",
        )


def import_serializers(rule: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; django.setup(); from tasks.serializers import TaskSerializer; "
        "print(sorted(TaskSerializer().fields['title'].policy.allow or ['everything']))"
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": os.pathsep.join([str(EXAMPLE), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "taskmanager.settings",
        "EXAMPLE_TITLE_RULE": rule,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_example_title_rule_tutorial_switches_the_field() -> None:
    result = import_serializers("tutorial")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['digits', 'letters', 'spaces']"
    assert import_serializers("text").stdout.strip() == "['everything']"


def test_unknown_example_title_rule_stops_the_project() -> None:
    result = import_serializers("isalnum")
    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: EXAMPLE_TITLE_RULE must be one of text, tutorial; got 'isalnum'."
        in (result.stderr)
    )
