"""tests/openapi's API served with Swagger UI, for docs/img/openapi-429.png.

``DJANGO_SETTINGS_MODULE=scripts.openapi_serve_settings python -m django runserver``
(scripts/openapi_screenshot.py does it). DEBUG lets runserver serve Swagger UI's
files (drf-spectacular-sidecar) without collectstatic; never a production setting.
"""

from tests.openapi.configuration import api_settings
from tests.settings import *  # noqa: F403

DEBUG = True
INSTALLED_APPS = [
    *INSTALLED_APPS,  # noqa: F405
    "django.contrib.staticfiles",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
STATIC_URL = "static/"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
SPECTACULAR_SETTINGS = {
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "tryItOutEnabled": True},
}
_API = api_settings("envelope")
# One note a minute: the second "Execute" in Swagger UI answers 429.
_API["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["notes"] = "1/min"
globals().update(_API)
