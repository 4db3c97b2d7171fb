"""The reports: each a read of the account's records, narrowed by the policy."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum

from integrations.models import DirectCost, ErpState, JobCostTransaction, SubJob
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from tenancy.models import Account, Membership


def accountants(account: Account) -> QuerySet[Membership]:
    """Accounting Approvers: Standard or Admin on ERP Integrations and 'Can Push to Accounting'
    (by the matrix, the Admins only, unless the account lets Standard users approve)."""
    least = Level.STANDARD if account.allow_standard_approvers else Level.ADMIN
    approver_ids = ToolGrant.objects.filter(
        account=account, project=None, tool=Tool.ERP_INTEGRATIONS, level__gte=least
    ).values("user_id")
    return (
        Membership.objects.filter(
            account=account, is_active=True, can_push_to_accounting=True, user_id__in=approver_ids
        )
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )


def job_costs_to_date(account: Account, project_id: int) -> list[dict[str, Any]]:
    """ERP job-to-date costs of one project per cost code and cost type (one query)."""
    rows = (
        JobCostTransaction.objects.filter(account=account, project_id=project_id)
        .values(
            code=F("cost_code__standard_code__full_code"),
            code_name=F("cost_code__standard_code__name"),
            type_code=F("cost_type__code"),
        )
        .annotate(amount=Sum("amount"))
        .order_by("code", "type_code")
    )
    return [dict(row) for row in rows]


@dataclass(frozen=True)
class UnsyncableCost:
    direct_cost: DirectCost
    reasons: list[str]


def unsyncable_direct_costs(account: Account, project_id: int) -> list[UnsyncableCost]:
    """Direct costs that cannot sync with the ERP, each with why (a constant number of queries)."""
    costs = (
        DirectCost.objects.filter(account=account, project_id=project_id)
        .select_related("vendor", "project")
        .prefetch_related("lines__cost_code__standard_code", "lines__cost_type")
        .exclude(erp_state=ErpState.SYNCED)
    )
    found = []
    for cost in costs:
        reasons = []
        if cost.project.erp_state != ErpState.SYNCED:
            reasons.append("The project is not synced with the ERP.")
        if cost.vendor is None and cost.kind in ("invoice", "subcontractor_invoice"):
            reasons.append("No vendor.")
        elif cost.vendor is not None and cost.vendor.erp_state != ErpState.SYNCED:
            reasons.append(f"Vendor {cost.vendor} is not synced with the ERP.")
        if cost.kind in ("invoice", "subcontractor_invoice") and not cost.invoice_number:
            reasons.append("No invoice number.")
        lines = list(cost.lines.all())
        if not lines:
            reasons.append("No line items.")
        for line in lines:
            if line.cost_code is None:
                reasons.append(f"Line {line.position} has no cost code.")
            elif line.cost_code.standard_code.erp_state != ErpState.SYNCED:
                reasons.append(f"Cost code {line.cost_code} is not on the ERP's list.")
            if line.cost_type is not None and line.cost_type.erp_state != ErpState.SYNCED:
                reasons.append(f"Cost type {line.cost_type} is not synced.")
        if reasons:
            found.append(UnsyncableCost(cost, reasons))
    return found


def synced_sub_jobs(account: Account) -> QuerySet[SubJob]:
    return (
        SubJob.objects.filter(account=account, erp_state=ErpState.SYNCED)
        .select_related("project")
        .order_by("project__number", "code")
    )


def total(rows: list[dict[str, Any]]) -> Decimal:
    return sum((row["amount"] or Decimal(0) for row in rows), Decimal("0.00"))
