from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers
from rest_framework.filters import SearchFilter
from rest_framework.request import Request

from drf_hardening.fields import StrictCharField

from tasks.models import Task


class TaskFilter(filters.FilterSet):
    """``?completed=true`` / ``?completed=false``; any other value is a 400, not ignored."""

    completed = filters.BooleanFilter()

    class Meta:
        model = Task
        fields = ["completed"]


class StrictSearchFilter(SearchFilter):
    """DRF's SearchFilter, with ``?search=`` held to the same rules as a title.

    A NUL byte or a control character in the search term is a 400 with the
    library's error format, not a database error (encode/django-rest-framework#6453).
    """

    def get_search_terms(self, request: Request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if raw:
            field = StrictCharField(max_length=200, allow_blank=True)
            try:
                field.run_validation(raw)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({self.search_param: error.detail}) from error
        return super().get_search_terms(request)
