"""PageNumberPagination: client-chosen page sizes, capped at DRF_HARDENING["MAX_PAGE_SIZE"]."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import path
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from drf_hardening.pagination import PageNumberPagination

ITEMS = list(range(500))


class ItemsView(APIView):
    permission_classes = ()

    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        return paginator.get_paginated_response(paginator.paginate_queryset(ITEMS, request, self))


# This module is the URLconf of the full-stack tests (pytest.mark.urls(__name__)).
urlpatterns = [path("items/", ItemsView.as_view())]


def page(query: str) -> list[int]:
    request = Request(APIRequestFactory().get(f"/items/{query}"))
    result = PageNumberPagination().paginate_queryset(ITEMS, request)
    assert result is not None
    return list(result)


@pytest.fixture(autouse=True)
def _page_size(settings: Any) -> None:
    settings.REST_FRAMEWORK = {"PAGE_SIZE": 50}


def test_default_page_size_comes_from_rest_framework() -> None:
    assert len(page("")) == 50


def test_client_may_ask_for_smaller_pages() -> None:
    assert page("?page_size=5") == [0, 1, 2, 3, 4]


def test_client_page_size_is_capped() -> None:
    assert len(page("?page_size=100000")) == 100


def test_cap_is_read_at_request_time(settings: Any) -> None:
    settings.DRF_HARDENING = {"MAX_PAGE_SIZE": 20}
    assert len(page("?page_size=100000")) == 20


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5", "", "\u0661\u0662"])
def test_a_page_size_that_is_not_a_positive_integer_is_a_400(value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        page(f"?page_size={value}")
    assert raised.value.status_code == 400
    assert raised.value.get_codes() == {"page_size": ["invalid"]}


def test_schema_says_pages_and_sizes_start_at_1() -> None:
    parameters = PageNumberPagination().get_schema_operation_parameters(view=APIView())
    minimums = {p["name"]: p["schema"].get("minimum") for p in parameters}
    assert minimums == {"page": 1, "page_size": 1}


@pytest.mark.parametrize("written", [None, "x", "100", 0, True])
def test_a_cap_that_is_not_a_positive_int_reads_as_100(settings: Any, written: Any) -> None:
    # drf_hardening.E043 stops manage.py check; a server started anyway must not 500.
    settings.DRF_HARDENING = {"MAX_PAGE_SIZE": written}
    assert len(page("?page_size=100000")) == 100


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("written", [None, "x"])
def test_a_bad_cap_on_a_list_request_is_no_500(client: Client, settings: Any, written: Any) -> None:
    settings.DRF_HARDENING = {"MAX_PAGE_SIZE": written}
    response = client.get("/items/?page_size=1000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
