"""The token views, e.g. ``path("api/auth/", include("drf_hardening.tokens.urls"))``.

URL names: ``token-login``, ``token-logout``, ``token-logout-all``, ``token-list``,
``token-detail``.
"""

from __future__ import annotations

from django.urls import path

from drf_hardening.tokens import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="token-login"),
    path("logout/", views.LogoutView.as_view(), name="token-logout"),
    path("logout-all/", views.LogoutAllView.as_view(), name="token-logout-all"),
    path("tokens/", views.TokenListView.as_view(), name="token-list"),
    path("tokens/<str:token_id>/", views.TokenDetailView.as_view(), name="token-detail"),
]
