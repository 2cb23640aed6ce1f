"""The demo server as users run it (``make demo``): Swagger UI in Chromium, and newman."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.example.conftest import EXAMPLE_PROJECT, DemoServer
from tests.services import missing_service

POSTMAN = EXAMPLE_PROJECT / "postman"
TASK_OPERATIONS = {
    ("GET", "/api/tasks/"),
    ("POST", "/api/tasks/"),
    ("GET", "/api/tasks/{id}/"),
    ("PUT", "/api/tasks/{id}/"),
    ("PATCH", "/api/tasks/{id}/"),
    ("DELETE", "/api/tasks/{id}/"),
}


def requested_urls(page: Any) -> list[str]:
    """Every URL ``page`` fetches from the network from now on (routed: not the ``blob:``
    URLs the page makes itself, nor what its CSP refuses before any request)."""
    urls: list[str] = []

    def record(route: Any) -> None:
        urls.append(route.request.url)
        route.continue_()

    page.route("**/*", record)
    return urls


def hosts(urls: list[str]) -> set[str]:
    return {urlsplit(url).netloc for url in urls}


@pytest.mark.browser
@pytest.mark.e2e
def test_swagger_ui_renders_the_task_operations_offline(
    browser: Any, demo_server: DemoServer
) -> None:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(f"{message.type}: {message.text}")
            if message.type in {"error", "warning"}
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))

    requested = requested_urls(page)
    page.goto(f"{demo_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=30_000)
    rendered = {
        (
            block.query_selector(".opblock-summary-method").inner_text().strip(),
            block.query_selector(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.query_selector_all(".opblock-summary")
    }
    context.close()
    assert rendered >= TASK_OPERATIONS
    assert hosts(requested) == hosts([demo_server.url]), requested  # nothing from elsewhere
    assert problems == []


@pytest.mark.browser
@pytest.mark.e2e
def test_redoc_renders_offline(browser: Any, demo_server: DemoServer) -> None:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    requested = requested_urls(page)
    page.goto(f"{demo_server.url}/api/redoc/")
    page.wait_for_selector("text=/api/tasks/", timeout=30_000)
    page.wait_for_selector("text=Create a task", state="attached", timeout=30_000)
    context.close()
    assert hosts(requested) == hosts([demo_server.url]), requested  # nothing from elsewhere
    # ReDoc's sidebar always shows a logo from cdn.redoc.ly: the docs CSP refuses it, so
    # the page stays offline, and that refusal is the only message allowed.
    assert [p for p in problems if "https://cdn.redoc.ly/redoc/logo-mini.svg" not in p] == []


@pytest.mark.browser
@pytest.mark.e2e
def test_swagger_ui_authorize_takes_the_token(browser: Any, demo_server: DemoServer) -> None:
    # The scheme drf_hardening.tokens declares (HTTP bearer): paste the bare token, and
    # "Try it out" sends it as "Authorization: Bearer <token>".
    context = browser.new_context()
    page = context.new_page()
    sent: list[str | None] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request.headers.get("authorization"))
            if urlsplit(request.url).path == "/api/tasks/"
            else None
        ),
    )
    page.goto(f"{demo_server.url}/api/docs/")
    page.click("button.authorize")
    page.fill(".auth-container input", demo_server.token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click(".auth-btn-wrapper button.btn-done")
    operation = page.locator("#operations-tasks-api_tasks_list")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status")
    status.wait_for(timeout=30_000)
    answered = status.inner_text().strip()
    context.close()
    assert answered == "200"
    assert sent == [f"Bearer {demo_server.token}"]


def newman_command() -> list[str]:
    newman = POSTMAN / "node_modules" / ".bin" / "newman"
    if not shutil.which("node"):
        missing_service("Node.js", "apt-get install -y nodejs npm")
    if not newman.exists():
        missing_service("newman", "cd example_project/postman && npm ci")
    return [str(newman)]


@pytest.mark.e2e
def test_postman_collection_passes_with_newman(demo_server: DemoServer, tmp_path: Path) -> None:
    command = newman_command()
    report = tmp_path / "newman.json"
    result = subprocess.run(
        [
            *command, "run", str(POSTMAN / "task-manager.postman_collection.json"),
            "--environment", str(POSTMAN / "local.postman_environment.json"),
            "--env-var", f"baseUrl={demo_server.url}",
            "--color", "off", "--reporters", "cli,json", "--reporter-json-export", str(report),
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    stats = json.loads(report.read_text())["run"]["stats"]
    assert stats["assertions"]["failed"] == 0
    assert stats["assertions"]["total"] >= 60
    assert stats["requests"]["failed"] == 0


#: What ``tests.services.missing_service`` raises: a skip, or in CI a failure.
MISSING = (pytest.skip.Exception, pytest.fail.Exception)


def test_newman_command_reports_a_missing_node(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MISSING, match=r"Node\.js is not available"):
        newman_command()


def test_newman_command_reports_newman_not_installed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "POSTMAN", tmp_path)  # no node_modules
    with pytest.raises(MISSING, match="newman is not available"):
        newman_command()
