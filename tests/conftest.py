from hypothesis import settings as hypothesis_settings

pytest_plugins = ["tests.services"]

# No timed assertions: these machines are shared and noisy, so a Hypothesis
# deadline would fail tests at random. Examples are derived from the test's
# own source (derandomize) so every run, locally and on CI, tries the same ones.
hypothesis_settings.register_profile("drf_hardening", deadline=None, derandomize=True)
hypothesis_settings.load_profile("drf_hardening")
