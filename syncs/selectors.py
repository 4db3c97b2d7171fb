"""Reading syncs: last runs per kind, staged records, job-to-date costs and paid to date, each
in a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from erp.models import ErpConnection
from integrations.models import Company, JobCostTransaction, Payment, Project
from permissions.access import can
from permissions.policy import Action
from syncs.models import StagedRecord, StagedStatus, SyncRun
from tenancy.models import Account


def last_runs(account: Account, kinds: Iterable[str]) -> dict[str, SyncRun]:
    """The newest run of each kind (two queries)."""
    newest = (
        SyncRun.objects.filter(account=account, kind__in=list(kinds))
        .values("kind")
        .annotate(last=Max("pk"))
        .values_list("last", flat=True)
    )
    return {run.kind: run for run in SyncRun.objects.filter(pk__in=list(newest))}


def last_run_of_project(account: Account, kind: str, project: Project) -> SyncRun | None:
    """The newest run of ``kind`` that covered ``project`` (its own, or one of every project)."""
    return (
        SyncRun.objects.filter(account=account, kind=kind)
        .filter(Q(project=project) | Q(project=None))
        .order_by("-pk")
        .first()
    )


def runs(account: Account) -> QuerySet[SyncRun]:
    return SyncRun.objects.filter(account=account).select_related("requested_by", "project")


def staged_records(
    account: Account, connection: ErpConnection, user: Any = None
) -> QuerySet[StagedRecord]:
    """The account's staged records (not the lines, which show under their record); for
    ``user``, without the archived companies unless they may see that list (the matrix's
    "View the Archived Companies List")."""
    records = StagedRecord.objects.filter(account=account, connection=connection, parent=None)
    if user is not None and not can(user, Action.VIEW_ARCHIVED_COMPANIES, account):
        records = records.exclude(item_type=ARCHIVED_LIST, status=StagedStatus.ARCHIVED)
    return records


def company_ids(account: Account, origin_ids: Iterable[str]) -> dict[str, int]:
    """The portal company of each ERP company id: the one linked to it, else the one it was
    linked to as well (a company standing for several ERP companies). At most two queries."""
    wanted = list(origin_ids)
    linked = Company.objects.filter(account=account, origin_id__in=wanted)
    found = {origin: pk for origin, pk in linked.values_list("origin_id", "pk") if origin}
    missing = [origin for origin in wanted if origin not in found]
    if missing:
        also = StagedRecord.objects.filter(
            account=account,
            item_type=ARCHIVED_LIST,
            status=StagedStatus.IMPORTED,
            origin_id__in=missing,
            linked_id__isnull=False,
        )
        found |= {origin: pk for origin, pk in also.values_list("origin_id", "linked_id") if pk}
    return found


ARCHIVED_LIST = "vendors"  # the type whose archived records form a list of their own


def search_staged(records: QuerySet[StagedRecord], query: str) -> QuerySet[StagedRecord]:
    return records.filter(
        Q(origin_code__icontains=query) | Q(name__icontains=query) | Q(origin_id=query)
    )


def staged_counts(account: Account, connection: ErpConnection) -> dict[str, int]:
    """Records waiting in Ready to Import, per item type (one query)."""
    rows = (
        staged_records(account, connection)
        .filter(status=StagedStatus.STAGED)
        .values("item_type")
        .annotate(n=Count("pk"))
    )
    return {row["item_type"]: row["n"] for row in rows}


@dataclass(frozen=True)
class CostTotal:
    cost_code: str
    cost_type: str
    amount: Decimal
    transactions: int


def job_to_date(project: Project) -> list[CostTotal]:
    """The project's synced job costs summed per cost code and cost type (one query)."""
    rows = (
        JobCostTransaction.objects.filter(project=project)
        .values(
            "cost_code__standard_code__full_code",
            "cost_code__standard_code__name",
            "cost_type__code",
            "cost_type__name",
        )
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by("cost_code__standard_code__full_code", "cost_type__code")
    )
    return [
        CostTotal(
            " ".join(
                filter(
                    None,
                    [
                        r["cost_code__standard_code__full_code"],
                        r["cost_code__standard_code__name"],
                    ],
                )
            )
            or "No cost code",
            " ".join(filter(None, [r["cost_type__code"], r["cost_type__name"]])) or "-",
            r["amount"] or Decimal("0"),
            r["n"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class PaidToDate:
    payments: Sequence[Payment]
    paid: Decimal
    due: Decimal

    @property
    def balance(self) -> Decimal:
        return self.due - self.paid


def paid_to_date(invoice: Any, payments: QuerySet[Payment]) -> PaidToDate:
    """An invoice's payments, the sum of those not void, and what is left of its net amount."""
    shown = list(payments.order_by("-payment_date", "-id"))
    paid = sum((p.amount for p in shown if p.status != Payment.Status.VOID), Decimal("0"))
    due = sum((line.net_amount for line in invoice.lines.all()), Decimal("0"))
    return PaidToDate(shown, paid, due)
