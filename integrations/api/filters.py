"""Query filters for the collections (django-filter), built from each kind's API part.

References are filtered by plain id (:class:`IdFilter`), not by a model choice: a choice field
would look the id up in every account and answer 400 for an unknown one, telling a user that an
id exists elsewhere. An id of another account simply matches nothing; one that is not a whole
number (``22.5``, which the database would take as 22) is a 400.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.widgets import BooleanWidget
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request
from rest_framework.views import APIView

from integrations.api.fields import MAX_ID
from integrations.kinds import Kind
from integrations.kinds.base import contains

ERP_CHANGED_FILTER_HELP = (
    "true: only records changed since the last sync (to send again to update the ERP); "
    "false: only the others."
)


class AnyYesNo(BooleanWidget):
    """A yes-or-no filter's choice in the user's words: *Any* (no filter), *Yes*, *No*."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("", "Any"), ("true", "Yes"), ("false", "No")]


class YesNoFilter(filters.BooleanFilter):
    """A filter by a yes-or-no field, ``true`` or ``false`` (the pages offer Any, Yes, No)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AnyYesNo)
        super().__init__(*args, **kwargs)


class IdFormField(forms.IntegerField):
    """A whole number no larger than an id can be (SQLite cannot compare a larger one)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(filters.NumberFilter):
    """A filter by a referenced record's id: a whole number."""

    field_class = IdFormField


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends with the primary key, so pages never repeat or skip a record
    when the asked-for order has ties."""

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        ordering = super().get_ordering(request, queryset, view) or queryset.model._meta.ordering
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            ordering = [*ordering, "pk"]
        return ordering


class IndexedSearchFilter(SearchFilter):
    """``?search=``: each word in one of the searched fields (any case), each field asked on
    the listed table's own columns (:func:`integrations.kinds.base.contains`), so an index
    answers it, however many records the collection holds."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: APIView) -> Any:
        fields = self.get_search_fields(view, request)
        words = self.get_search_terms(request)
        if (
            not fields
            or not words
            or any(field[0] in self.lookup_prefixes for field in fields)
            or self.must_call_distinct(queryset, fields)  # a path through many records
        ):
            return super().filter_queryset(request, queryset, view)
        account = getattr(view, "account", None)
        for word in words:
            found = models.Q()
            for field in fields:
                found |= contains(queryset.model, field, word, account.pk if account else None)
            queryset = queryset.filter(found)
        return queryset


class YesNoFilterSet(filters.FilterSet):
    """A filter set whose yes-or-no fields filter with :class:`YesNoFilter`."""

    FILTER_DEFAULTS = {
        **filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": YesNoFilter},
    }


def filterset_for(kind: Kind) -> type[filters.FilterSet]:
    """The kind's query filters: by referenced ids, by its own fields (and by ``erp_changed``
    wherever it filters by ``erp_state``), and any extra ones."""
    api = kind.api
    assert api is not None, f"{kind.key} has no API"
    declared: dict[str, Any] = {
        f.name: IdFilter(field_name=f.path, help_text=f.help_text) for f in api.id_filters
    }
    if "erp_state" in api.filters:  # where the ERP status filters, so does a change since sync
        declared["erp_changed"] = YesNoFilter(help_text=ERP_CHANGED_FILTER_HELP)
    declared.update((name, build()) for name, build in api.extra_filters.items())
    names = (*(f.name for f in api.id_filters), *api.filters)
    meta = type("Meta", (), {"model": kind.model, "fields": names})
    name = f"{kind.model.__name__}Filter"
    return type(name, (YesNoFilterSet,), {**declared, "Meta": meta, "__module__": __name__})
