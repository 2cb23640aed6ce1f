"""The example with a login view that tells unknown users apart (leaky_login_urls)."""

from taskmanager.settings import *  # noqa: F403

ROOT_URLCONF = "tests.probe.variants.leaky_login_urls"
