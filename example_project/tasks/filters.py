"""The query parameters of /api/tasks/: each bad value is a 400, never silently ignored."""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters import rest_framework as filters
from django_filters.filters import BooleanFilter
from rest_framework import serializers
from rest_framework.filters import SearchFilter
from rest_framework.request import Request

from drf_hardening.fields import StrictCharField
from tasks.models import Task


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (and ``1``/``0``); anything else is an error, not "no filter"."""

    values = {"true": True, "1": True, "false": False, "0": False}

    # NullBooleanField's stubs say bool, but Django's own returns None for "no value".
    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value in (None, ""):
            return None
        try:
            return self.values[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Must be true or false.", code="invalid") from None


class StrictBooleanFilter(BooleanFilter):
    # django-filter's widgets read ?completed=maybe as no filter at all: a plain
    # text input hands the raw value to StrictBooleanField, which refuses it.
    field_class = StrictBooleanField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput)
        super().__init__(*args, **kwargs)


class TaskFilter(filters.FilterSet):
    """``?completed=true`` / ``?completed=false``; any other value is a 400."""

    completed = StrictBooleanFilter()

    class Meta:
        model = Task
        fields = ["completed"]


class StrictSearchFilter(SearchFilter):
    """DRF's SearchFilter, with ``?search=`` held to the same rules as a title.

    A NUL byte or a control character in the search term is a 400 with the
    library's error format, not a database error (encode/django-rest-framework#6453).
    """

    def get_search_field(self) -> StrictCharField:
        return StrictCharField(max_length=200, allow_blank=True)

    def get_search_terms(self, request: Request) -> list[str]:
        raw = request.query_params.get(self.search_param, "")
        if raw:
            field = self.get_search_field()
            try:
                field.run_validation(raw)
            except serializers.ValidationError as error:
                raise serializers.ValidationError({self.search_param: error.detail}) from error
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        # Imported here: drf_hardening.openapi imports rest_framework.generics, which
        # loads DEFAULT_FILTER_BACKENDS, which is this module.
        from drf_hardening.openapi import strict_text_format

        parameters = super().get_schema_operation_parameters(view)
        field = self.get_search_field()
        for parameter in parameters:
            parameter["schema"].update(format=strict_text_format(field), maxLength=field.max_length)
        return parameters

    def get_schema_error_codes(self, view: Any) -> dict[str, set[str]]:
        """The codes of a 400 for ``?search=``, for drf_hardening.openapi's 400 component."""
        from drf_hardening.openapi.field_errors import field_codes

        return {self.search_param: field_codes(self.get_search_field())}
