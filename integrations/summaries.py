"""A commitment's money at a glance: its original value, approved change orders, revised value,
what was invoiced against it and what remains; with its latest change orders and invoices.

Read in a constant number of queries whatever the number of change orders and invoices (one
sum of the schedule of values, one sum and one short list of each of the two).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from integrations.models import (
    ChangeOrderStatus,
    Commitment,
    CommitmentChangeOrder,
    InvoiceStatus,
    SubcontractorInvoice,
)
from permissions.access import can, restrict
from permissions.policy import Action
from tenancy.models import Account

SHOWN = 10  # rows of each short list
ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=15, decimal_places=2)
# Invoiced to date counts every invoice but drafts (not yet submitted by the subcontractor).
NOT_INVOICED = (InvoiceStatus.DRAFT,)


def _sum(expression: Any, **filters: Any) -> Coalesce:
    return Coalesce(
        Sum(expression, filter=Q(**filters) if filters else None), Value(ZERO), output_field=MONEY
    )


@dataclass(frozen=True)
class CommitmentSummary:
    original: Decimal
    approved_changes: Decimal
    change_orders: list[CommitmentChangeOrder]  # the latest, each with its ``total``
    change_order_count: int
    invoiced: Decimal | None  # None: the user may not see invoices
    invoices: list[SubcontractorInvoice]  # the latest, each with its ``total``
    invoice_count: int

    @property
    def revised(self) -> Decimal:
        return self.original + self.approved_changes

    @property
    def remaining(self) -> Decimal | None:
        return None if self.invoiced is None else self.revised - self.invoiced


def _latest(queryset: QuerySet[Any], amount: Any) -> list[Any]:
    return list(queryset.annotate(total=_sum(amount)).order_by("-created_at", "-pk")[:SHOWN])


def commitment_summary(commitment: Commitment, user: Any, account: Account) -> CommitmentSummary:
    """``commitment``'s summary as ``user`` may see it: change orders and invoices they cannot
    see are not counted nor listed (without the invoices at all, nothing is said of them)."""
    original = commitment.lines.aggregate(total=_sum("amount"))["total"]
    orders = restrict(CommitmentChangeOrder.objects.filter(commitment=commitment), user, account)
    # Approved change orders make the revised value.
    order_totals = orders.aggregate(
        approved=_sum("lines__amount", status=ChangeOrderStatus.APPROVED),
        count=Count("pk", distinct=True),
    )
    invoiced: Decimal | None = None
    invoices: list[SubcontractorInvoice] = []
    invoice_count = 0
    if can(user, Action.VIEW_RECORDS, account, obj=SubcontractorInvoice):
        billed = restrict(SubcontractorInvoice.objects.filter(commitment=commitment), user, account)
        amount = F("lines__work_completed") + F("lines__materials_stored")
        totals = billed.aggregate(
            invoiced=_sum(amount, status__in=_counted()), count=Count("pk", distinct=True)
        )
        invoiced, invoice_count = totals["invoiced"], totals["count"]
        invoices = _latest(billed, amount)
    return CommitmentSummary(
        original=original,
        approved_changes=order_totals["approved"],
        change_orders=_latest(orders, "lines__amount"),
        change_order_count=order_totals["count"],
        invoiced=invoiced,
        invoices=invoices,
        invoice_count=invoice_count,
    )


def _counted() -> list[str]:
    return [status for status in InvoiceStatus.values if status not in NOT_INVOICED]
