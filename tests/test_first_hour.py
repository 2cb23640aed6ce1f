"""README.md's Install steps, followed to the letter in a fresh ``startproject``.

The snippets are read from README.md (each fenced block after a ``<!-- first-hour: ... -->``
marker), so the README cannot drift from what works: settings.py and urls.py get them
appended as they are, the ``export`` lines of its console blocks run in bash, and its
``python manage.py`` commands run with this interpreter (``runserver`` on a free port, with
``--noreload`` so that one process serves and is stopped by its PID). Step 1, installing,
is the one step left out: this interpreter already has the package (tox's ``package``
environment builds and installs the wheel). The one thing the test adds is what every
project has, a view: an ``APIView`` at ``/api/ping/``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shlex
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.services import RedisServer, free_port, stop_process, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
MARKED_BLOCK = re.compile(
    r"^(?P<indent>[ ]*)<!-- first-hour: (?P<name>[\w.-]+) -->\n"
    r"(?P=indent)```\w*\n(?P<body>.*?)\n(?P=indent)```$",
    re.MULTILINE | re.DOTALL,
)

VIEW = """

from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class Ping(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"pong": True})


urlpatterns += [path("api/ping/", Ping.as_view())]
"""


def readme_blocks() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    blocks = {m["name"]: textwrap.dedent(m["body"]) for m in MARKED_BLOCK.finditer(text)}
    assert set(blocks) == {"settings.py", "urls.py", "development", "production", "redis"}
    return blocks


def commands(console: str) -> tuple[list[str], list[list[str]]]:
    """A console block's ``export`` lines and its other commands, without the prompt."""
    lines = [line[2:] for line in console.splitlines() if line.startswith("$ ")]
    exports = [line for line in lines if line.startswith("export ")]
    others = [shlex.split(line) for line in lines if not line.startswith("export ")]
    return exports, others


@dataclass
class Project:
    directory: Path
    blocks: dict[str, str]
    #: The environment a user's shell has before following the README.
    base_env: dict[str, str] = field(default_factory=dict)

    def environment(self, console: str, **extra: str) -> dict[str, str]:
        """``base_env`` after the ``export`` lines of ``console`` ran in bash."""
        exports, _ = commands(console)
        script = "set -e\n" + "\n".join(exports) + "\nenv -0"
        done = subprocess.run(
            ["bash", "-c", script], env=self.base_env, capture_output=True, check=True
        )
        pairs = (item.split(b"=", 1) for item in done.stdout.split(b"\0") if b"=" in item)
        return {key.decode(): value.decode() for key, value in pairs} | extra

    def manage(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            env=env,
            cwd=self.directory,
            capture_output=True,
            text=True,
            check=False,
        )

    def run_console(self, console: str, env: dict[str, str]) -> list[str]:
        """Run the block's ``python manage.py`` commands but runserver; return what ran."""
        ran = []
        for command in commands(console)[1]:
            assert command[:2] == ["python", "manage.py"], command
            if command[2] == "runserver":
                continue
            result = self.manage(env, *command[2:])
            assert result.returncode == 0, result.stdout + result.stderr
            ran.append(command[2])
        return ran

    @contextlib.contextmanager
    def serve(self, env: dict[str, str]) -> Iterator[int]:
        port = free_port()
        log = (self.directory / f"runserver-{port}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=self.directory,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, timeout=30)
            yield port
        finally:
            stop_process(process)
            log.close()


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        kind = response.getheader("Content-Type") or ""
        data = json.loads(body) if kind.startswith("application/json") else body
        return response.status, dict(response.getheaders()), data
    finally:
        connection.close()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    directory = tmp_path_factory.mktemp("first-hour")
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(directory)], check=True
    )
    blocks = readme_blocks()
    settings = directory / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + "\n\n" + blocks["settings.py"] + "\n")
    urls = directory / "mysite" / "urls.py"
    urls.write_text(urls.read_text() + VIEW + "\n" + blocks["urls.py"] + "\n")
    # A shell whose `python` is this interpreter, and nothing of the suite's own settings
    # (PYTHONPATH is kept: it may be where this run's drf_hardening comes from).
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    # Python reads an empty PYTHONPATH as unset.
    env = {"PATH": path, "HOME": str(directory), "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    return Project(directory, blocks, env)


@pytest.fixture(scope="module")
def development(project: Project) -> dict[str, str]:
    env = project.environment(project.blocks["development"])
    assert env["DRF_HARDENING_PROFILE"] == "development"
    assert project.run_console(project.blocks["development"], env) == ["migrate"]
    return env


def test_development_serves_the_api_on_localhost(
    project: Project, development: dict[str, str]
) -> None:
    with project.serve(development) as port:
        status, headers, body = get(port, "/api/ping/")
        assert (status, body) == (200, {"pong": True})
        assert headers["Content-Type"] == "application/json"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
        assert "Strict-Transport-Security" not in headers  # no HTTPS on localhost
        # The urls.py step: an unknown URL is the API's JSON, not Django's HTML page.
        status, headers, body = get(port, "/nowhere/")
        assert status == 404
        assert body["error"]["code"] == "not_found"
        assert body["error"]["request_id"] == headers["X-Request-ID"]


def test_debug_under_production_stops_every_command(project: Project) -> None:
    # What a user meets with DJANGO_DEBUG=1 and the profile left to its default: harden()
    # refuses (no app server runs the checks, so E010 alone would not stop gunicorn).
    env = project.environment(project.blocks["production"], DJANGO_DEBUG="1")
    for command in ("check", "hardening_report", "migrate"):
        result = project.manage(env, command)
        assert result.returncode == 1, command
        assert (
            "django.core.exceptions.ImproperlyConfigured: harden(profile='production') with "
            "DEBUG = True" in result.stderr
        ), command
        assert "DRF_HARDENING_PROFILE=development" in result.stderr


def test_debug_under_development_serves_djangos_debug_pages(project: Project) -> None:
    # README step 4: DJANGO_DEBUG=1 with the development profile, for Django's debug pages.
    env = project.environment(project.blocks["development"], DJANGO_DEBUG="1")
    with project.serve(env) as port:
        status, headers, body = get(port, "/nowhere/")
        assert status == 404
        assert headers["Content-Type"].startswith("text/html")
        assert b"Using the URLconf defined in" in body


@pytest.fixture(scope="module")
def production(project: Project) -> dict[str, str]:
    env = project.environment(project.blocks["production"])
    assert "DRF_HARDENING_PROFILE" not in env
    assert len(env["DJANGO_SECRET_KEY"]) >= 50
    return env


def test_production_deploy_checks_report_only_the_local_memory_cache(
    project: Project, production: dict[str, str]
) -> None:
    assert project.run_console(project.blocks["production"], production) == ["check"]
    result = project.manage(production, "check", "--deploy")
    assert result.returncode == 0
    assert re.findall(r"\((\w+\.[EW]\d+)\)", result.stderr) == ["drf_hardening.W026"]
    assert "System check identified 1 issue (1 silenced)." in result.stderr
    strict = project.manage(production, "check", "--deploy", "--fail-level", "WARNING")
    assert strict.returncode == 1
    assert re.findall(r"\((\w+\.[EW]\d+)\)", strict.stderr) == ["drf_hardening.W026"]


def test_production_with_redis_passes_the_strict_deploy_checks(
    project: Project, production: dict[str, str], redis_server: RedisServer
) -> None:
    settings = project.directory / "mysite" / "settings.py"
    original = settings.read_text()
    # README: "Point the default cache at Redis (above the harden() call)".
    settings.write_text(
        original.replace("\nharden(\n", "\n" + project.blocks["redis"] + "\n\nharden(\n", 1)
    )
    try:
        env = {**production, "REDIS_URL": redis_server.url}
        result = project.manage(env, "check", "--deploy", "--fail-level", "WARNING")
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.strip() == "System check identified no issues (1 silenced)."
    finally:
        settings.write_text(original)


def test_production_serves_https_through_the_proxy_only(
    project: Project, production: dict[str, str]
) -> None:
    with project.serve(production) as port:
        # What the README's curl sends, as a TLS proxy in front would.
        proxied = {"Host": "api.example.com", "X-Forwarded-Proto": "https"}
        status, headers, body = get(port, "/api/ping/", **proxied)
        assert (status, body) == (200, {"pong": True})
        assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        status, headers, _ = get(port, "/api/ping/", Host="api.example.com")
        assert (status, headers["Location"]) == (301, "https://api.example.com/api/ping/")
        status, headers, body = get(port, "/api/ping/")  # Host: 127.0.0.1:<port>
        assert status == 400
        assert body["error"]["request_id"] == headers["X-Request-ID"]
