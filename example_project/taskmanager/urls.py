"""URLs of the Task Manager API. Unknown URLs and server errors answer in JSON (drf-hardening)."""

from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from drf_hardening.conf import conf
from drf_hardening.openapi.views import SpectacularAPIView
from drf_hardening.tokens import views as tokens
from tasks.docs import RedocView, SwaggerView
from tasks.views import ApiRootView, RegisterView, TaskViewSet

# SimpleRouter: no ".json" format suffixes (the API speaks JSON only) and "/" is our own index.
router = SimpleRouter(use_regex_path=False)
router.register("tasks", TaskViewSet, basename="task")

urlpatterns = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("api/", include(router.urls)),
    path("api/auth/register/", RegisterView.as_view(), name="register"),
    # drf_hardening.tokens' views (its urls module has the same, under other names).
    path("api/auth/token/", tokens.LoginView.as_view(), name="token"),
    path("api/auth/logout/", tokens.LogoutView.as_view(), name="logout"),
    path("api/auth/logout-all/", tokens.LogoutAllView.as_view(), name="logout-all"),
    path("api/auth/tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("api/auth/tokens/<str:token_id>/", tokens.TokenDetailView.as_view(), name="token-detail"),
    # drf_hardening.openapi.views: drf-spectacular's views, with the API's JSON errors.
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
]

if conf.PROFILE == "development":
    # The docs pages' scripts and styles (drf-spectacular-sidecar), without DEBUG=True:
    # DEBUG would also turn the API's JSON 404s into Django's HTML debug pages. In
    # production, run collectstatic and let the web server serve STATIC_ROOT.
    prefix = str(settings.STATIC_URL).lstrip("/")
    urlpatterns.append(re_path(rf"^{prefix}(?P<path>.*)$", serve, {"insecure": True}))

handler400 = "drf_hardening.views.handler400"
handler403 = "drf_hardening.views.handler403"
handler404 = "drf_hardening.views.handler404"
handler500 = "drf_hardening.views.handler500"
