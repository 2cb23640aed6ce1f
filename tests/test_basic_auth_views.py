"""drf_hardening.W084 on URLconfs of every shape, and the Basic class called without a request."""

from __future__ import annotations

import types
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import include, path
from django.views.generic import RedirectView
from rest_framework import authentication, exceptions
from rest_framework.views import APIView

from drf_hardening.authentication import BasicAuthentication
from drf_hardening.checks.basic import MAX_LISTED, check_basic_authentication_views


class DRFBasicView(APIView):
    authentication_classes = (authentication.BasicAuthentication,)


# One more DRF-Basic view than the message lists, under an include().
views = [path(f"drf-{i}/", DRFBasicView.as_view()) for i in range(MAX_LISTED + 1)]
# A Django view (no DRF classes to judge) next to them.
urlpatterns = [path("plain/", RedirectView.as_view(url="/")), path("api/", include(views))]


@pytest.fixture(autouse=True)
def production(settings: Any) -> None:
    settings.DRF_HARDENING = {"PROFILE": "production"}


@pytest.mark.urls("tests.test_basic_auth_views")
def test_w084_lists_five_views_and_counts_the_rest() -> None:
    [message] = check_basic_authentication_views()

    assert message.id == "drf_hardening.W084"
    assert message.msg.count("tests.test_basic_auth_views.DRFBasicView") == MAX_LISTED
    assert "(api/drf-0/)" in message.msg
    assert " and 1 more." in message.msg
    assert "plain" not in message.msg


def test_w084_passes_over_what_is_not_a_pattern(settings: Any) -> None:
    # Not a pattern: Django's urls.E004 reports it; W084 judges the real patterns around it.
    settings.ROOT_URLCONF = types.ModuleType("broken_urls")
    settings.ROOT_URLCONF.urlpatterns = ["not-a-pattern", path("drf/", DRFBasicView.as_view())]

    [message] = check_basic_authentication_views()

    assert message.msg.count("DRFBasicView") == 1
    assert "(drf/)" in message.msg


def test_w084_leaves_a_urlconf_that_does_not_load_to_django(settings: Any) -> None:
    # Django's own check (urls.E001-style import errors) reports it; W084 must not crash.
    settings.ROOT_URLCONF = "tests.no_such_urlconf"

    assert check_basic_authentication_views() == []


@pytest.mark.django_db
def test_basic_authentication_without_a_request_fails_uncounted() -> None:
    # DRF's signature allows request=None (a direct call): nothing to throttle or count.
    User.objects.create_user("alice", password="alice-password-1")

    with pytest.raises(exceptions.AuthenticationFailed):
        BasicAuthentication().authenticate_credentials("alice", "wrong", None)
    user, _ = BasicAuthentication().authenticate_credentials("alice", "alice-password-1", None)

    assert user.get_username() == "alice"
