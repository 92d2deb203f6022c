"""Filters of every list in the API, held to what the schema says they take.

django-filter reads an empty value as "no filter" and anything but a known spelling of a boolean
as "unknown", so ``?status=`` or ``?is_active=5`` would answer the whole list as if the filter
were absent: a client that sent them made a mistake it should hear about, a 400 naming the
parameter. The other way round, an id that names no row (``?institution=99999``) is a
well-formed question whose answer is an empty list, not the 400 of django-filter's choice field.
"""

from django import forms
from django.db import models
from django.utils.translation import gettext as _
from django_filters import (  # type: ignore[import-untyped]
    BooleanFilter,
    CharFilter,
    FilterSet,
    NumberFilter,
)
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS  # type: ignore[import-untyped]
from django_filters.rest_framework import DjangoFilterBackend  # type: ignore[import-untyped]
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

BOOLEANS = {"true", "false"}


class IdFilter(NumberFilter):
    """A related row by its id: a whole number, matched as it is; one beyond the database's
    64-bit ids names no row (rather than overflowing the query)."""

    field_class = forms.IntegerField

    def filter(self, qs, value):
        if value is not None and not -(2**63) <= value < 2**63:
            return qs.none()
        return super().filter(qs, value)


# The text a Django form field takes: any but a null character (which no database stores, and
# PostgreSQL cannot take as a parameter), refused as everywhere in Django with a 400.
NO_NULL_CHARACTER = "^[^\\u0000]*$"


@extend_schema_field({"type": "string", "pattern": NO_NULL_CHARACTER})
class TextFilter(CharFilter):
    """A text column matched exactly; the schema says the text it takes."""


class PortalFilterSet(FilterSet):
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.CharField: {"filter_class": TextFilter},
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
    }


class StrictFilterBackend(DjangoFilterBackend):
    filterset_base = PortalFilterSet

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
    """Whether a value is one the schema excludes yet django-filter would read as no filter
    (a free-text filter takes an empty value: the schema allows it)."""
    if not isinstance(spec, CharFilter) and any(value == "" for value in values):
        return True
    return isinstance(spec, BooleanFilter) and any(value not in BOOLEANS for value in values)
