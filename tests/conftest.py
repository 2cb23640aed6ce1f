from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.helpers import ERROR_FORMATS

pytest_plugins = ["tests.services"]

# No timed assertions: these machines are shared and noisy, so a Hypothesis
# deadline would fail tests at random. Examples are derived from the test's
# own source (derandomize) so every run, locally and on CI, tries the same ones.
hypothesis_settings.register_profile("drf_hardening", deadline=None, derandomize=True)
hypothesis_settings.load_profile("drf_hardening")


@pytest.fixture(params=ERROR_FORMATS)
def error_format(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each ``DRF_HARDENING["ERROR_FORMAT"]`` in turn: a test taking it runs once per format."""
    settings.DRF_HARDENING = {"ERROR_FORMAT": request.param}
    return str(request.param)
