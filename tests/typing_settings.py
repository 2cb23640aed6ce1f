"""The settings django-stubs' mypy plugin loads: the test suite's, plus the example's apps.

The plugin learns models (their managers, ``Task.objects``) from ``INSTALLED_APPS``
and imports this module with only the working directory on ``sys.path``, so the
example project's folder is added here, as ``PYTHONPATH=example_project`` does for
its tests. Nothing runs under these settings.
"""

import sys
from pathlib import Path

from tests.settings import *  # noqa: F403

EXAMPLE_PROJECT = str(Path(__file__).resolve().parent.parent / "example_project")
if EXAMPLE_PROJECT not in sys.path:
    sys.path.append(EXAMPLE_PROJECT)

INSTALLED_APPS = [*INSTALLED_APPS, "django_filters", "drf_spectacular", "tasks"]  # noqa: F405
