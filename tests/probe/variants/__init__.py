"""Deliberately broken settings of the example project, one misconfiguration per module.

Each module imports the example's settings (hardened by ``harden()``) and
overrides one thing after it, as a second settings file does in a real
deployment. gunicorn loads one through ``DJANGO_SETTINGS_MODULE``, with the
repository root and ``example_project/`` on ``PYTHONPATH``.
"""

#: The login of ``leaky_login``, which tells unknown usernames apart.
LEAKY_LOGIN = "/api/auth/leaky-token/"
