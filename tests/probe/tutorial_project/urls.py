"""benchmarks/tutorial_api.py's URLs plus DRF's token login, as the tutorial adds it."""

from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token

# benchmarks/ is on the PYTHONPATH of the gunicorn that loads this module, not on mypy's.
from tutorial_api import urlpatterns as api_urlpatterns  # type: ignore[import-not-found]

from tests.probe.tutorial_project import LOGIN

urlpatterns = [*api_urlpatterns, path(LOGIN.strip("/") + "/", obtain_auth_token)]
