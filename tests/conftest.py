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

#: Modules that start whole projects, app servers or server topologies as processes. What
#: they prove does not depend on the Python, Django or DRF version, and they are most of
#: the suite's time, so tox runs them in one environment of the matrix (py311-dj52; the
#: others deselect them with ``-m "not processes"``). Locally, plain pytest runs them all.
PROCESS_MODULES = frozenset(
    {
        "tests.test_scaling_topologies",
        "tests.test_scaling_failover",
        "tests.test_asgi_servers",
        "tests.test_first_hour",
        "tests.test_attack_fixes",
        "tests.test_bad_host",
        "tests.test_hardened_project",
        "tests.openapi.test_schemathesis",
        "tests.openapi.test_client",
        "tests.tokens.test_leak",
        "tests.test_guard_concurrency",
        "tests.test_example_collection",
        "tests.test_deployment_claims",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        module = getattr(item, "module", None)
        if module is not None and module.__name__ in PROCESS_MODULES:
            item.add_marker(pytest.mark.processes)


@pytest.fixture(params=ERROR_FORMATS)
def error_format(request: pytest.FixtureRequest, settings: Any) -> str:
    """Each ``DRF_HARDENING["ERROR_FORMAT"]`` in turn: a test taking it runs once per format."""
    settings.DRF_HARDENING = {"ERROR_FORMAT": request.param}
    return str(request.param)
