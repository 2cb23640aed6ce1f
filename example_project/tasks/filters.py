from django_filters import rest_framework as filters

from tasks.models import Task


class TaskFilter(filters.FilterSet):
    """``?completed=true`` / ``?completed=false``; any other value is a 400, not ignored."""

    completed = filters.BooleanFilter()

    class Meta:
        model = Task
        fields = ["completed"]
