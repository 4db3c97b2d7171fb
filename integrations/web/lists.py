"""A record list's filters, columns and sorting (:mod:`integrations.web.sorting`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet
from django_filters import TypedChoiceFilter
from django_filters.filterset import filterset_factory

from integrations.api.filters import YesNoFilterSet
from integrations.kinds import Kind
from integrations.models.base import CHANGED_SINCE_SYNC
from permissions.access import restrict
from tenancy.sorting import Sorting

if TYPE_CHECKING:
    from integrations.web.views import KindView

ERP_STATE = "erp_state"
ERP_FIELDS = ("origin_id", "origin_code", ERP_STATE)  # a record page's ERP fields


def columns(kind: Kind) -> tuple[tuple[str, str], ...]:
    """The kind's list columns (a kind never sent to the ERP and never from it, as direct
    costs, declares no ERP status column: *Not sent* would be all it could ever say)."""
    assert kind.web is not None
    return kind.web.columns


def filter_names(kind: Kind) -> list[str]:
    assert kind.web is not None
    return list(kind.web.filters)


def _changed_since_sync() -> TypedChoiceFilter:
    """Yes or no (or any): whether the record was edited since its last sync (to be sent
    again as an update)."""
    return TypedChoiceFilter(
        field_name="erp_changed",
        label=CHANGED_SINCE_SYNC,
        choices=(("", "Any"), ("true", "Yes"), ("false", "No")),
        coerce=lambda value: value == "true",
    )


def filterset(view: KindView, data: Any, queryset: QuerySet[Model]) -> Any:
    """The list's filters: the kind's (a filter along a parent, ``commitment__project``, is
    labelled by its last step: *Project*), and *Changed since sync* right after the ERP
    status; yes-or-no fields offer Any, Yes and No; choices narrowed to what the user sees."""
    found = filterset_factory(
        view.kind.model, filterset=YesNoFilterSet, fields=filter_names(view.kind)
    )(data, queryset=queryset)
    if ERP_STATE in found.filters:
        shown = list(found.filters.items())
        at = [name for name, _ in shown].index(ERP_STATE) + 1
        shown.insert(at, ("erp_changed", _changed_since_sync()))
        found.filters = dict(shown)
    web = view.web
    for name, flt in found.filters.items():
        last = name.rsplit("__", 1)[-1]
        if name in web.labels:
            flt.label = web.labels[name]
        elif "__" in name:
            parent = view.kind.model._meta.get_field(name.split("__")[0]).related_model
            if isinstance(parent, type):
                flt.label = web.label(parent, last)
        choices = getattr(flt, "queryset", None)
        if isinstance(choices, QuerySet):
            try:
                flt.queryset = restrict(choices, view.request.user, view.account)
            except LookupError:
                flt.queryset = choices.filter(account=view.account)
    return found


def sorting(kind: Kind) -> Sorting:
    """How the kind's list sorts: by the columns its declaration names sortable."""
    assert kind.web is not None
    return Sorting(columns(kind), kind.web.sortable)
