"""``manage.py hardening_report``: what the presets touched, from where, and the checks."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.checks import CheckMessage
from django.core.management.base import BaseCommand, CommandParser

from drf_hardening.presets.merge import REPORT_SETTING
from drf_hardening.presets.report import HardeningReport
from drf_hardening.throttling.topology import store_mode


def run_system_checks(*, deploy: bool = False) -> list[CheckMessage]:
    """Every registered check, as ``manage.py check [--deploy]`` runs them, minus silenced."""
    messages = checks.run_checks(include_deployment_checks=deploy)
    return [message for message in messages if not message.is_silenced()]


class Command(BaseCommand):
    help = (
        "Print every setting drf-hardening's presets touch, its value and its source, then "
        "what the system checks report. Runs whatever the checks say."
    )
    # Django would run the checks before handle() and stop on the first error, so the
    # report would be missing exactly when it explains what is wrong (DEBUG = True under
    # the production profile, say). The command runs them itself and lists them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the same as JSON.")
        parser.add_argument(
            "--deploy", action="store_true", help="Include the deployment checks (check --deploy)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        data = getattr(settings, REPORT_SETTING, None)
        report = HardeningReport.from_dict(data) if data else None
        messages = run_system_checks(deploy=options["deploy"])
        # Where the throttles count, as the running process finds it (a Sentinel is asked
        # for its primary now): what harden() wrote cannot say which primary is current.
        mode = store_mode()
        if options["json"]:
            payload = {
                "report": report.as_dict() if report else None,
                "throttle_store": mode,
                "checks": [_as_dict(message) for message in messages],
            }
            self.stdout.write(json.dumps(payload, indent=2, default=repr))
            return
        if report is None:
            self.stdout.write("harden() was not called in this project's settings.")
        else:
            self.stdout.write(str(report))
        self.stdout.write("")
        self.stdout.write(f"Throttle store: {mode}")
        self.stdout.write("")
        if not messages:
            self.stdout.write("System checks: no issues.")
            return
        errors = sum(message.is_serious() for message in messages)
        summary = f"System checks: {len(messages)} issue(s)"
        if errors:
            summary += f"; {errors} error(s) stop manage.py check, migrate and runserver"
        self.stdout.write(summary + ".")
        for message in messages:
            self.stdout.write(f"{message.id} ({_level(message)}): {message.msg}")
            if message.hint:
                self.stdout.write(f"    HINT: {message.hint}")


def _as_dict(message: CheckMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "level": _level(message),
        "message": message.msg,
        "hint": message.hint,
    }


def _level(message: CheckMessage) -> str:
    names = {10: "DEBUG", 20: "INFO", 30: "WARNING", 40: "ERROR", 50: "CRITICAL"}
    return names.get(message.level, str(message.level))
