"""Filters of every list in the API, held to what the schema says they take.

django-filter reads an empty value as "no filter" and anything but a known spelling of a boolean
as "unknown", so ``?status=`` or ``?is_active=5`` would answer the whole list as if the filter
were absent. A client that sent them made a mistake it should hear about: a 400 naming the
parameter.
"""

from django.utils.translation import gettext as _
from django_filters import BooleanFilter  # type: ignore[import-untyped]
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from rest_framework.exceptions import ValidationError

BOOLEANS = {"true", "false"}


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = {
                name: [_("Give a value the schema lists for this parameter.")]
                for name, spec in filterset.filters.items()
                if name in request.query_params
                and _unreadable(spec, request.query_params.getlist(name))
            }
            if errors:
                raise ValidationError(errors)
        return filterset


def _unreadable(spec, values: list[str]) -> bool:
    if any(value == "" for value in values):
        return True
    return isinstance(spec, BooleanFilter) and any(value not in BOOLEANS for value in values)
