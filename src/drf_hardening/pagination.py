"""Pagination with a ceiling: a client may ask for smaller or larger pages, never unbounded ones."""

from __future__ import annotations

from rest_framework import pagination

from drf_hardening.conf import conf


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's ``PageNumberPagination`` with ``?page_size=`` capped at ``MAX_PAGE_SIZE``.

    The page size comes from ``REST_FRAMEWORK["PAGE_SIZE"]`` as in DRF; the cap is
    read at request time from ``DRF_HARDENING["MAX_PAGE_SIZE"]`` (default 100).
    """

    page_size_query_param = "page_size"

    @property  # type: ignore[override]
    def max_page_size(self) -> int:
        return conf.MAX_PAGE_SIZE
