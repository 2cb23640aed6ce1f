"""The error components of the test API's schema, per ERROR_FORMAT, as snapshot files.

tests/openapi/test_snapshots.py compares the schema with the files in
tests/openapi/snapshots/. After a deliberate change to what the schema says,
regenerate them and review the diff::

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python -m tests.openapi.snapshot

(``python -m tests.openapi.snapshot DIR`` writes them into ``DIR`` instead: test_snapshots.py
runs it so, to show that this command writes what the test compares with.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SNAPSHOTS = Path(__file__).parent / "snapshots"
#: The operations whose responses are kept whole, to show how they refer to the components.
OPERATIONS = [("post", "/notes/"), ("get", "/groups/")]


def error_components(schema: dict[str, Any]) -> dict[str, Any]:
    """The parts of ``schema`` that drf_hardening.openapi adds."""
    schemas = schema["components"]["schemas"]
    return {
        "schemas": {
            name: body
            for name, body in sorted(schemas.items())
            if name in {"Error", "ErrorDetails", "ProblemFieldError"}
            or name.endswith("ValidationError")
        },
        "headers": schema["components"]["headers"],
        "responses": {
            f"{method.upper()} {path}": schema["paths"][path][method]["responses"]
            for method, path in OPERATIONS
        },
    }


def path_for(error_format: str, directory: Path = SNAPSHOTS) -> Path:
    return directory / f"{error_format}.json"


def render(components: dict[str, Any]) -> str:
    return json.dumps(components, indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> None:
    import django
    from django.test.utils import override_settings

    django.setup()
    from tests.openapi.conftest import FORMATS, api_settings, generate_schema

    directory = Path(argv[0]) if argv else SNAPSHOTS
    for error_format in FORMATS:
        path = path_for(error_format, directory)
        with override_settings(**api_settings(error_format)):
            path.write_text(render(error_components(generate_schema())))
        print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
