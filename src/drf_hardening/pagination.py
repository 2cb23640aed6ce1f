"""Pagination with a ceiling: a client may ask for smaller or larger pages, never unbounded ones."""

from __future__ import annotations

from typing import Any

from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from drf_hardening.conf import conf


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's ``PageNumberPagination`` with ``?page_size=`` capped at ``MAX_PAGE_SIZE``.

    The page size comes from ``REST_FRAMEWORK["PAGE_SIZE"]`` as in DRF, and the cap
    from ``DRF_HARDENING["MAX_PAGE_SIZE"]`` (default 100); both are read at request
    time, where DRF binds ``PAGE_SIZE`` when its module is imported. A
    ``?page_size=`` that is not a positive integer is a 400, where DRF silently
    serves the default size.
    """

    page_size_query_param = "page_size"

    @property
    def page_size(self) -> int | None:  # type: ignore[override]
        return api_settings.PAGE_SIZE

    @property
    def max_page_size(self) -> int:  # type: ignore[override]
        # A positive int: conf serves the default (100) for anything else (E043).
        return conf.MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
            raise ValidationError(
                {self.page_size_query_param: ["A positive integer is required."]}, code="invalid"
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        # Say what get_page_size() enforces, so schema-driven clients and fuzzers agree:
        # both of DRF's parameters (page and page_size) start at 1.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters
