"""The exporters, one per kind of portal record: each takes the connector (its client and
books) and the batch's pending items, and gives every item its outcome."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from connectors.base import ObjectType
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.analytic import ANALYTIC_TYPES, export_analytic
from connectors.tryton.exporters.base import Outcome, Pending
from connectors.tryton.exporters.invoices import DONE_INVOICE, INVOICE_KINDS, export_invoices
from connectors.tryton.exporters.parties import export_parties
from connectors.tryton.exporters.purchases import DONE_PURCHASE, export_purchases

T = ObjectType
Exporter = Callable[[Tryton, list[Pending]], None]

EXPORTERS: dict[str, Exporter] = {
    T.COMPANY: export_parties,
    T.PROJECT: partial(export_analytic, obj_type=T.PROJECT),
    T.SUB_JOB: partial(export_analytic, obj_type=T.SUB_JOB),
    T.COST_CODE: partial(export_analytic, obj_type=T.COST_CODE),
    T.COMMITMENT: export_purchases,
    T.SUBCONTRACTOR_INVOICE: partial(export_invoices, kind=INVOICE_KINDS[T.SUBCONTRACTOR_INVOICE]),
    T.OWNER_INVOICE: partial(export_invoices, kind=INVOICE_KINDS[T.OWNER_INVOICE]),
}

__all__ = [
    "ANALYTIC_TYPES",
    "DONE_INVOICE",
    "DONE_PURCHASE",
    "EXPORTERS",
    "INVOICE_KINDS",
    "Exporter",
    "Outcome",
    "Pending",
]
