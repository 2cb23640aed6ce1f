"""Every dotted path the presets write and the checks compare still imports."""

from __future__ import annotations

import pytest
from django.utils.module_loading import import_string

from drf_hardening import names


@pytest.mark.parametrize("path", names.LIBRARY_PATHS)
def test_library_path_imports(path: str) -> None:
    assert callable(import_string(path))


def test_library_paths_cover_every_library_constant() -> None:
    ours = {
        value
        for name, value in vars(names).items()
        if name.isupper() and isinstance(value, str) and value.startswith("drf_hardening.")
    }
    ours |= set(names.ERROR_VIEWS.values())
    assert ours == set(names.LIBRARY_PATHS)
