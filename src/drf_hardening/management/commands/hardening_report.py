"""``manage.py hardening_report``: what the presets touched, from where, and the checks."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage
from django.core.management.base import BaseCommand, CommandParser

from drf_hardening.checks import ALL_CHECKS
from drf_hardening.presets.merge import REPORT_SETTING
from drf_hardening.presets.report import HardeningReport


def run_library_checks() -> list[CheckMessage]:
    silenced = set(getattr(settings, "SILENCED_SYSTEM_CHECKS", []))
    messages = [message for check in ALL_CHECKS for message in check()]
    return [message for message in messages if message.id not in silenced]


class Command(BaseCommand):
    help = "Print every setting drf-hardening's presets touch, its value and its source, then the library's system checks."  # noqa: E501

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the same as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        data = getattr(settings, REPORT_SETTING, None)
        report = HardeningReport.from_dict(data) if data else None
        messages = run_library_checks()
        if options["json"]:
            checks = [
                {"id": m.id, "level": _level(m), "message": m.msg, "hint": m.hint} for m in messages
            ]
            payload = {"report": report.as_dict() if report else None, "checks": checks}
            self.stdout.write(json.dumps(payload, indent=2, default=repr))
            return
        if report is None:
            self.stdout.write("harden() was not called in this project's settings.")
        else:
            self.stdout.write(str(report))
        self.stdout.write("")
        if not messages:
            self.stdout.write("System checks: no issues.")
        for message in messages:
            # Every library check carries a hint (tests/test_checks_settings.py).
            self.stdout.write(f"{message.id} ({_level(message)}): {message.msg}")
            self.stdout.write(f"    HINT: {message.hint}")


def _level(message: CheckMessage) -> str:
    return {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}[message.level]
