"""Pieces several kinds' declarations share: filters by a parent record, nested lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from integrations.api.fields import amount_total, parent_project_field
from integrations.kinds.base import Api, IdFilter

PROJECT = IdFilter("project", "project", "Only records of this project (id).")
VENDOR_HELP = "Only records of this vendor (company id)."
ERP = ("erp_state", "ERP status")  # the list column of every ERP-linked kind


def total_of(help_text: str) -> Callable[[], Any]:
    return lambda: amount_total(help_text)


def lines_of(serializer: Any, **kwargs: Any) -> Callable[[], Any]:
    """The nested ``lines`` field (written with the record unless ``read_only``)."""
    kwargs.setdefault("required", False)
    return lambda: serializer(many=True, **kwargs)


def under_parent(
    *,
    description: str,
    parent: str,
    what: str,
    fields: tuple[str, ...],
    lines: Callable[[], Any],
    totals: tuple[str, Callable[[], Any]],
    search: tuple[str, ...],
    ordering: tuple[str, ...],
    more_filters: tuple[IdFilter, ...] = (),
) -> Api:
    """The API part of a record placed under a parent record (a change order under its
    contract, an invoice under its contract): shown with the parent, its project read through
    it, its lines and totals; filtered by project, by parent, by status and ERP status."""
    total_name, total = totals
    label = parent.replace("_", " ")
    return Api(
        description=description,
        fields=(parent, "project", *fields, "lines", total_name),
        writable=True,
        declared={
            "project": lambda: parent_project_field(parent),
            "lines": lines,
            total_name: total,
        },
        filters=("status", "erp_state"),
        id_filters=(
            IdFilter("project", f"{parent}__project", PROJECT.help_text),
            IdFilter(parent, parent, f"Only {what} of this {label} (id)."),
            *more_filters,
        ),
        search=search,
        ordering=ordering,
        select_related=(parent,),
        prefetch_related=("lines",),
    )
