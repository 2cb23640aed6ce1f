"""Scaffolding: a one-file Django API to debug the e2e fixtures against (temporary)."""

import os

from django.conf import settings

if not settings.configured:
    production = os.environ.get("DRF_HARDENING_PROFILE") == "production"
    caches = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if os.environ.get("REDIS_URL"):
        caches = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": os.environ["REDIS_URL"],
            }
        }
    rates = dict(
        pair.split("=", 1) for pair in os.environ.get("EXAMPLE_THROTTLE_RATES", "").split(",") if pair
    )
    settings.configure(
        DEBUG=False,
        SECRET_KEY="x" * 60,
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(","),
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "corsheaders"],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        CORS_ALLOWED_ORIGINS=[o for o in os.environ.get("DJANGO_CORS_ALLOWED_ORIGINS", "").split(",") if o],
        CACHES=caches,
        SECURE_SSL_REDIRECT=production,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
        SECURE_HSTS_SECONDS=31536000 if production else 0,
        REST_FRAMEWORK={
            "UNAUTHENTICATED_USER": None,
            "DEFAULT_AUTHENTICATION_CLASSES": [],
            "DEFAULT_PERMISSION_CLASSES": [],
            "NUM_PROXIES": int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0")),
            "DEFAULT_THROTTLE_RATES": {"tasks": "50/day", "anon": "10/min", **rates},
        },
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402
from rest_framework.response import Response  # noqa: E402
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle  # noqa: E402
from rest_framework.views import APIView  # noqa: E402


class Ping(APIView):
    throttle_classes = [AnonRateThrottle]

    def get(self, request):
        return Response({"pong": True})


class Tasks(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "tasks"

    def get(self, request):
        return Response({"results": []})

    def post(self, request):
        return Response({"title": request.data.get("title")}, status=201)


urlpatterns = [path("api/ping/", Ping.as_view()), path("api/tasks/", Tasks.as_view())]
application = get_wsgi_application()
