"""The reports: each a read of the account's records, narrowed by the policy. :data:`REPORTS`
is the one list of them (the pages and the API read it); :func:`projects_for` and
:func:`may_open` are the one answer to who may run which report on which project."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum

from integrations.models import DirectCost, ErpState, JobCostTransaction, Project, SubJob
from permissions.access import can
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from permissions.policy import Action
from tenancy.models import Account, Membership


@dataclass(frozen=True)
class Report:
    key: str  # URL segment of its page and API resource
    title: str
    action: Action  # its row of the matrix
    about: str
    per_project: bool = False  # run on one project, chosen by the user


REPORTS: tuple[Report, ...] = (
    Report(
        "accountants",
        "Accountant Report",
        Action.VIEW_ACCOUNTANT_REPORT,
        "Who may accept and reject exports.",
    ),
    Report(
        "job-costs",
        "ERP Job Costs",
        Action.VIEW_ERP_JOB_COSTS_REPORT,
        "Job-to-date costs from the ERP, per cost code and cost type.",
        per_project=True,
    ),
    Report(
        "unsyncable-direct-costs",
        "ERP Unsyncable Direct Costs",
        Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT,
        "Direct costs that cannot sync, and why.",
        per_project=True,
    ),
    Report(
        "synced-sub-jobs",
        "Synced Sub Jobs",
        Action.VIEW_SYNCED_SUB_JOBS,
        "Sub jobs linked with the ERP, by project.",
    ),
)


def report_named(key: str) -> Report:
    found = next((r for r in REPORTS if r.key == key), None)
    if found is None:
        raise LookupError(f"No report {key!r}.")
    return found


def available(user: Any, account: Account) -> list[Report]:
    """The reports ``user`` may open (the index)."""
    return [r for r in REPORTS if can(user, r.action, account)]


def projects_for(user: Any, account: Account, report: Report) -> list[Project]:
    """The projects a per-project report may be run on by ``user`` (the unsyncable direct
    costs report asks its row on each project)."""
    if not report.per_project:
        return []
    projects = Project.objects.filter(account=account).order_by("number")
    if report.action != Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT:
        return list(projects)
    return [p for p in projects if can(user, report.action, account, project=p)]


def may_open(user: Any, account: Account, report: Report, project: Project | None) -> bool:
    on = project if report.action == Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT else None
    return can(user, report.action, account, project=on)


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
