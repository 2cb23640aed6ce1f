"""Probe the hardened example and the tutorial's plain DRF project, side by side.

    .venv/bin/python -m scripts.probe_compare

Starts Redis and both projects under gunicorn behind the nginx of
docs/deployment.md, on a freshly seeded database; runs ``python -m
drf_hardening probe`` against each, as a user would (the token and password go
through the environment variables the probe reads); prints each command, its
output and wall-clock time, then the side-by-side table of docs/probe.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from drf_hardening.probe.cli import PASSWORD_VARIABLE, TOKEN_VARIABLE
from tests.e2e.components import ROOT, seed_example, static_site
from tests.e2e.conftest import Project
from tests.probe.e2e.conftest import (
    TASK_TEMPLATE,
    Stack,
    Stacks,
    full_probe_args,
    hardened_env,
    start_tutorial,
    tutorial_probe_args,
)
from tests.services import RedisServer


def run(stack: Stack, args: list[str], redis: RedisServer) -> tuple[str, float]:
    """The probe in a subprocess, secrets through the environment; its output and seconds."""
    redis.flush()  # both projects start with full quotas
    env = dict(os.environ)
    shown = list(args)
    for option, variable in (("--token", TOKEN_VARIABLE), ("--password", PASSWORD_VARIABLE)):
        if option in shown:
            at = shown.index(option)
            env[variable] = shown[at + 1]
            del shown[at : at + 2]
    command = [sys.executable, "-m", "drf_hardening", "probe", stack.url(), *shown]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.monotonic() - started
    printed = " ".join(["python", *command[1:]])
    return f"$ {printed}\n{done.stdout}(exit status {done.returncode})\n", seconds


def statuses(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        words = line.split(maxsplit=2)
        if len(words) >= 2 and "." in words[0] and words[1] in ("PASS", "FAIL", "SKIP"):
            found[words[0]] = words[1]
    return found


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="drfh-compare-"))
    database_url = f"sqlite:///{scratch}/db.sqlite3"
    project = Project(database_url, seed_example(database_url))
    redis = RedisServer(shutil.which("redis-server") or "redis-server")
    redis.start()
    stacks = Stacks(project)
    template = scratch / "task.json"
    template.write_text(json.dumps(TASK_TEMPLATE))
    try:
        with static_site("127.0.0.1") as front_end:
            hardened = stacks.start(hardened_env(redis, front_end))
            tutorial = start_tutorial(stacks, redis, scratch)
            outputs = {
                "hardened example": run(
                    hardened, full_probe_args(hardened, front_end, template), redis
                ),
                "tutorial project": run(tutorial, tutorial_probe_args(tutorial, template), redis),
            }
        for name, (output, seconds) in outputs.items():
            print(f"## {name} ({seconds:.1f} s wall clock)\n\n{output}")
        found = {name: statuses(output) for name, (output, _) in outputs.items()}
        print("| Check | Hardened example | Tutorial project |\n|---|---|---|")
        for check_id, status in found["hardened example"].items():
            print(f"| `{check_id}` | {status} | {found['tutorial project'].get(check_id)} |")
    finally:
        stacks.stop_all()
        redis.stop()
        shutil.rmtree(redis.directory, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
