"""DEBUG switched on after ``harden()``, as a local settings file does.

``harden(profile="production")`` refuses ``DEBUG = True`` (so ``DJANGO_DEBUG=1``
cannot start the example), but an override written after the call is past it.
Django's debug pages then answer unknown URLs and errors.
"""

from taskmanager.settings import *  # noqa: F403

DEBUG = True
