"""A record list's filters, its sorting by a column's heading and the headings themselves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django_filters import TypedChoiceFilter
from django_filters.filterset import filterset_factory

from integrations.api.filters import YesNoFilterSet
from integrations.kinds import Kind
from integrations.models.base import CHANGED_SINCE_SYNC
from permissions.access import restrict

if TYPE_CHECKING:
    from integrations.web.views import KindView

ORDERING = "ordering"
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


def ordering(kind: Kind, asked: str) -> tuple[str, bool] | None:
    """``(column path, descending)`` of a sortable column named by ``?ordering=`` (``-number``),
    or ``None`` for none or a column the kind does not sort by."""
    web = kind.web
    path = asked.removeprefix("-")
    if web is None or path not in web.sortable:
        return None
    return path, asked.startswith("-")


def ordered(kind: Kind, queryset: QuerySet[Model], asked: tuple[str, bool] | None) -> Any:
    """``queryset`` in the asked order, ending on the key so pages never repeat a record."""
    if asked is None:
        return queryset
    web = kind.web
    assert web is not None
    path, descending = asked
    field = web.sortable[path]
    return queryset.order_by(f"-{field}" if descending else field, "-pk" if descending else "pk")


@dataclass(frozen=True)
class Heading:
    """A column's heading: its text and, for a sortable column, the link that sorts by it."""

    text: str
    href: str = ""
    sort: str = ""  # aria-sort: ascending, descending ("" when not sorted by it)

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.sort, "")


def headings(kind: Kind, params: QueryDict, asked: tuple[str, bool] | None) -> list[Heading]:
    """The list's column headings; a click on a sortable one sorts by it (ascending first,
    descending on the next click), keeping the filters and starting again on page 1."""
    web = kind.web
    assert web is not None
    found = []
    for path, text in columns(kind):
        if path not in web.sortable:
            found.append(Heading(text))
            continue
        current = asked is not None and asked[0] == path
        descending = current and asked is not None and asked[1]
        query = params.copy()
        query.pop("page", None)
        query[ORDERING] = f"-{path}" if current and not descending else path
        sort = ("descending" if descending else "ascending") if current else ""
        found.append(Heading(text, f"?{query.urlencode()}", sort))
    return found
