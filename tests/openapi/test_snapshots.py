"""The error components of each ERROR_FORMAT, against tests/openapi/snapshots/.

A failure shows the diff. When the change is deliberate, regenerate the files
(``python -m tests.openapi.snapshot``, see its docstring) and commit them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.openapi.conftest import FORMATS
from tests.openapi.snapshot import error_components, path_for, render


@pytest.mark.parametrize("error_format", FORMATS)
def test_error_components_match_the_snapshot(
    error_format: str, schema_for: Callable[..., dict[str, Any]]
) -> None:
    current = render(error_components(schema_for(error_format)))
    assert current == path_for(error_format).read_text()


def test_the_formats_differ() -> None:
    # A snapshot regenerated under the wrong setting would be caught here.
    assert len({path_for(error_format).read_text() for error_format in FORMATS}) == len(FORMATS)
