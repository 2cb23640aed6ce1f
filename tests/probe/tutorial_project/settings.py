"""benchmarks/tutorial_settings.py, with the tutorial's login URL (urls.py)."""

# benchmarks/ is on the PYTHONPATH of the gunicorn that loads this module, not on mypy's.
from tutorial_settings import *  # type: ignore[import-not-found]  # noqa: F403

ROOT_URLCONF = "tests.probe.tutorial_project.urls"
