"""The example's schema tells the truth, in each ERROR_FORMAT, against the running example.

For each of ``envelope``, ``problem`` and ``drf`` (``EXAMPLE_ERROR_FORMAT``),
the example is served as ``make demo`` serves it, then

- schemathesis' command line runs every response check against it (its report
  is printed with the test's output): no 5xx, no undocumented status, content
  type or header, no body that breaks its schema;
- a client generated from the served schema by openapi-python-client parses a
  real 400, 404 and 429 into its typed models.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.example.conftest import EXAMPLE_PROJECT, DemoServer, serve_demo

FORMATS = ["envelope", "problem", "drf"]
ROOT = EXAMPLE_PROJECT.parent
# No throttling in the way of the schemathesis run; the login keeps its own limit (the 429).
RATES = "tasks=100000/minute,user=100000/minute,anon=100000/minute"


@pytest.fixture(scope="module", params=FORMATS)
def format_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, DemoServer]]:
    error_format: str = request.param
    directory = tmp_path_factory.mktemp(f"openapi-{error_format}")
    with serve_demo(
        directory, EXAMPLE_ERROR_FORMAT=error_format, EXAMPLE_THROTTLE_RATES=RATES
    ) as server:
        yield error_format, server


def run_schemathesis(server: DemoServer) -> subprocess.CompletedProcess[str]:
    # The command of docs/example.md ("schemathesis from the command line"); one worker
    # (CPython 3.11.7's threaded-ast bug). What is left out, and why, is explained there.
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/api/schema/",
        "-H", f"Authorization: Bearer {server.token}",
        "--exclude-path-regex", "^/api/auth/",
        "--exclude-checks", "ignored_auth,negative_data_rejection",
        "--phases", "examples,fuzzing", "--max-examples", "20", "--seed", "1",
        "--workers", "1", "--no-color",
    ]  # fmt: skip
    env = {"SCHEMATHESIS_HOOKS": "tests.example.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=ROOT,
        env={**os.environ, **env},
    )  # fmt: skip


def generate_client(server: DemoServer, directory: Path) -> Any:
    """openapi-python-client's package for the served schema, imported."""
    schema = directory / "schema.json"
    response = httpx.get(
        f"{server.url}/api/schema/?format=json",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    response.raise_for_status()
    schema.write_bytes(response.content)
    config = directory / "config.yml"
    config.write_text("post_hooks: []\npackage_name_override: task_client\n")
    output = directory / "task_client"
    subprocess.run(
        [
            sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema),
            "--output-path", str(output), "--meta", "none", "--config", str(config),
        ],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    sys.path.insert(0, str(directory))
    for name in [name for name in sys.modules if name.startswith("task_client")]:
        del sys.modules[name]  # the package of the previous format
    return importlib.import_module("task_client")


def operation(package: Any, directory: Path, operation_id: str) -> Any:
    """The generated module of ``operation_id`` (``api/<tag>/<operation_id>.py``)."""
    (path,) = (directory / "task_client" / "api").glob(f"*/{operation_id}.py")
    return importlib.import_module(f"task_client.api.{path.parent.name}.{operation_id}")


def test_the_schema_is_true_against_the_running_example(
    format_server: tuple[str, DemoServer], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error_format, server = format_server
    result = run_schemathesis(server)
    with capsys.disabled():
        print(f"\nschemathesis against the example, EXAMPLE_ERROR_FORMAT={error_format}:")
        print(result.stdout[-6000:])
    assert result.returncode == 0, result.stdout + result.stderr

    package = generate_client(server, tmp_path)
    client = package.AuthenticatedClient(base_url=server.url, token=server.token)
    anonymous = package.Client(base_url=server.url)
    models = importlib.import_module("task_client.models")

    create = operation(package, tmp_path, "api_tasks_create")
    bad = create.sync_detailed(client=client, body=models.TaskRequest(title=""))
    retrieve = operation(package, tmp_path, "api_tasks_retrieve")
    missing = retrieve.sync_detailed(client=client, id=987654)
    login = operation(package, tmp_path, "api_auth_token_create")
    attempts = [
        login.sync_detailed(
            client=anonymous,
            body=models.LoginRequest(username="nobody", password="wrong-password-1"),
        )
        for _ in range(6)  # LOGIN_RATE is 5/min
    ]
    assert [int(r.status_code) for r in (bad, missing, attempts[-1])] == [400, 404, 429]
    invalid, not_found, throttled = bad.parsed, missing.parsed, attempts[-1].parsed
    # drf: TaskValidationError is anyOf [Error, field errors]; the second matched.
    assert type(invalid).__name__.startswith("TaskValidationError")
    assert type(not_found).__name__ == type(throttled).__name__ == "Error"
    if error_format == "envelope":
        assert invalid.error.fields.title[0].code == "blank"
        assert (not_found.error.code, throttled.error.code) == ("not_found", "throttled")
    elif error_format == "problem":
        assert [(e.pointer, e.code) for e in invalid.errors] == [("#/title", "blank")]
        assert (not_found.status, throttled.status) == (404, 429)
    else:
        assert invalid.title == ["This field may not be blank."]
        assert not_found.detail == "Not found."
        assert throttled.detail.startswith("Request was throttled.")
