"""Every origin allowed, with credentials: any web page can read a signed-in user's data."""

from taskmanager.settings import *  # noqa: F403

CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = True
