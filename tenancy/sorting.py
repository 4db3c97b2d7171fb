"""Sorting a list by a click on a column's heading, for every list of the portal (record lists,
the ERP log, the sync log, Ready to Import, the audit trail): ``?ordering=<column>`` sorts up,
``?ordering=-<column>`` down; a column not offered is ignored. The headings carry the link that
sorts by them (keeping the filters, back to page 1) and their state for ``aria-sort``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

ORDERING = "ordering"


@dataclass(frozen=True)
class Heading:
    """A column's heading: its text and, for a sortable column, the link that sorts by it."""

    text: str
    href: str = ""
    sort: str = ""  # aria-sort: ascending, descending ("" when not sorted by it)
    key: str = ""  # the column's key (a template may style a column by it)
    numeric: bool = False  # a column of numbers (right-aligned)

    @property
    def arrow(self) -> str:
        return {"ascending": "▲", "descending": "▼"}.get(self.sort, "")


@dataclass(frozen=True)
class Sorting:
    columns: tuple[tuple[str, str], ...]  # (key, heading text), in the list's order
    sortable: Mapping[str, str]  # column key -> the ORM path it sorts by
    numeric: frozenset[str] = frozenset()  # the columns of numbers

    def asked(self, params: QueryDict) -> tuple[str, bool] | None:
        """``(column key, descending)`` named by ``?ordering=``, or None."""
        value = params.get(ORDERING, "")
        key = value.removeprefix("-")
        if key not in self.sortable:
            return None
        return key, value.startswith("-")

    def apply(self, queryset: QuerySet[Any], asked: tuple[str, bool] | None) -> QuerySet[Any]:
        """``queryset`` in the asked order, ending on the key so pages never repeat a row."""
        if asked is None:
            return queryset
        key, descending = asked
        field = self.sortable[key]
        if descending:
            return queryset.order_by(f"-{field}", "-pk")
        return queryset.order_by(field, "pk")

    def headings(self, params: QueryDict, asked: tuple[str, bool] | None) -> list[Heading]:
        """The headings; a click on a sortable one sorts by it (up first, down on the next
        click), keeping the filters and starting again on page 1."""
        found = []
        for key, text in self.columns:
            if key not in self.sortable:
                found.append(Heading(text, key=key, numeric=key in self.numeric))
                continue
            current = asked is not None and asked[0] == key
            descending = current and asked is not None and asked[1]
            query = params.copy()
            query.pop("page", None)
            query[ORDERING] = f"-{key}" if current and not descending else key
            sort = ("descending" if descending else "ascending") if current else ""
            found.append(Heading(text, f"?{query.urlencode()}", sort, key, key in self.numeric))
        return found


def sort(sorting: Sorting, params: QueryDict, queryset: QuerySet[Any]) -> dict[str, Any]:
    """What a sortable list's page needs: ``rows`` (the queryset sorted as ``params`` ask),
    ``headings`` (``_sort_head.html`` draws them) and ``ordering`` (kept by its filter form)."""
    asked = sorting.asked(params)
    return {
        "rows": sorting.apply(queryset, asked),
        "headings": sorting.headings(params, asked),
        "ordering": params.get(ORDERING, "") if asked else "",
    }
