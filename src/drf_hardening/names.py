"""Every dotted path that the presets write into settings and the checks compare.

One place, so that moving a class is one edit here and ``tests/test_names.py``
(which ``import_string()``s each library path) catches a path that no longer
imports. Third-party paths are here too when a preset writes them or a check
looks for them.
"""

from __future__ import annotations

# drf-hardening's own drop-ins.
REQUEST_ID_MIDDLEWARE = "drf_hardening.middleware.RequestIDMiddleware"
AUTH_GUARD_MIDDLEWARE = "drf_hardening.middleware.FailedAuthGuardMiddleware"
LIBRARY_CSP_MIDDLEWARE = "drf_hardening.middleware.ContentSecurityPolicyMiddleware"
CHUNKED_BODY_MIDDLEWARE = "drf_hardening.middleware.ChunkedBodyMiddleware"
EXCEPTION_HANDLER = "drf_hardening.exceptions.exception_handler"
EXCEPTION_HANDLER_CLASS = "drf_hardening.exceptions.ExceptionHandler"
CSRF_FAILURE_VIEW = "drf_hardening.views.csrf_failure"
#: ``handler400`` ... ``handler500`` of the root URLconf, by status.
ERROR_VIEWS = {status: f"drf_hardening.views.handler{status}" for status in (400, 403, 404, 500)}
ANON_THROTTLE = "drf_hardening.throttling.AnonRateThrottle"
USER_THROTTLE = "drf_hardening.throttling.UserRateThrottle"
JSON_PARSER = "drf_hardening.parsers.JSONParser"
PAGINATION = "drf_hardening.pagination.PageNumberPagination"
REQUEST_ID_FILTER = "drf_hardening.logging.RequestIDFilter"
REDACTING_FILTER = "drf_hardening.logging.RedactingFilter"
DISALLOWED_HOST_FILTER = "drf_hardening.logging.DisallowedHostFilter"
TEXT_FORMATTER = "drf_hardening.logging.TextFormatter"
JSON_FORMATTER = "drf_hardening.logging.JSONFormatter"
BASIC_AUTHENTICATION = "drf_hardening.authentication.BasicAuthentication"
TOKEN_AUTHENTICATION = "drf_hardening.tokens.authentication.TokenAuthentication"  # noqa: S105
SCHEMA_CLASS = "drf_hardening.openapi.AutoSchema"
EXCEPTION_REPORTER = "drf_hardening.logging.reporter.SafeExceptionReporter"
EXCEPTION_REPORTER_FILTER = "drf_hardening.logging.reporter.SafeExceptionReporterFilter"

#: Every path above that names something of this library (tests import each one).
LIBRARY_PATHS = (
    REQUEST_ID_MIDDLEWARE,
    AUTH_GUARD_MIDDLEWARE,
    LIBRARY_CSP_MIDDLEWARE,
    CHUNKED_BODY_MIDDLEWARE,
    EXCEPTION_HANDLER,
    EXCEPTION_HANDLER_CLASS,
    CSRF_FAILURE_VIEW,
    *ERROR_VIEWS.values(),
    ANON_THROTTLE,
    USER_THROTTLE,
    JSON_PARSER,
    PAGINATION,
    REQUEST_ID_FILTER,
    REDACTING_FILTER,
    DISALLOWED_HOST_FILTER,
    TEXT_FORMATTER,
    JSON_FORMATTER,
    BASIC_AUTHENTICATION,
    TOKEN_AUTHENTICATION,
    SCHEMA_CLASS,
    EXCEPTION_REPORTER,
    EXCEPTION_REPORTER_FILTER,
)

# Django's, DRF's and django-cors-headers' paths that presets write or checks look for.
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"
CORS_MIDDLEWARE = "corsheaders.middleware.CorsMiddleware"
DJANGO_CSP_MIDDLEWARE = "django.middleware.csp.ContentSecurityPolicyMiddleware"
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
COMMON_MIDDLEWARE = "django.middleware.common.CommonMiddleware"
CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
CLICKJACKING_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
JSON_RENDERER = "rest_framework.renderers.JSONRenderer"
BROWSABLE_API_RENDERER = "rest_framework.renderers.BrowsableAPIRenderer"
IS_AUTHENTICATED = "rest_framework.permissions.IsAuthenticated"
ALLOW_ANY = "rest_framework.permissions.AllowAny"
DRF_JSON_PARSER = "rest_framework.parsers.JSONParser"
DRF_FORM_PARSER = "rest_framework.parsers.FormParser"
DRF_MULTIPART_PARSER = "rest_framework.parsers.MultiPartParser"
DRF_BASIC_AUTHENTICATION = "rest_framework.authentication.BasicAuthentication"
DRF_TOKEN_AUTHENTICATION = "rest_framework.authentication.TokenAuthentication"  # noqa: S105
DRF_SESSION_AUTHENTICATION = "rest_framework.authentication.SessionAuthentication"
#: DRF's ``DEFAULT_AUTHENTICATION_CLASSES`` when a project sets none.
DRF_DEFAULT_AUTHENTICATION = (DRF_SESSION_AUTHENTICATION, DRF_BASIC_AUTHENTICATION)
ADMIN_EMAIL_HANDLER = "django.utils.log.AdminEmailHandler"
REQUIRE_DEBUG_FALSE = "django.utils.log.RequireDebugFalse"
