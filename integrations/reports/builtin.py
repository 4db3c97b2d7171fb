"""The records' own reports: the Accountant Report, ERP Job Costs (budget against the ERP's
job-to-date cost), ERP Unsyncable Direct Costs (each reason with where to fix it) and Synced Sub
Jobs. Each reads a constant number of queries, whatever the account's size."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum
from django.urls import reverse

from integrations.models import (
    BudgetLineItem,
    DirectCost,
    ErpState,
    JobCostTransaction,
    Project,
    SubJob,
)
from integrations.reports import Column, Level, Report, Run, Table, money_total, register
from integrations.reports.chart import bars
from permissions.grants import company_level_holders
from permissions.levels import Level as ToolLevel
from permissions.levels import Tool
from permissions.policy import Action
from tenancy.models import Account, Membership

INVOICE_KINDS = ("invoice", "subcontractor_invoice")


# --- Accountant Report -----------------------------------------------------------------------


def accountants(account: Account) -> QuerySet[Membership]:
    """Accounting Approvers: Standard or Admin on ERP Integrations and 'Can Push to Accounting'
    (by the matrix, the Admins only, unless the account lets Standard users approve)."""
    least = ToolLevel.STANDARD if account.allow_standard_approvers else ToolLevel.ADMIN
    return (
        Membership.objects.for_account(account)
        .filter(company_level_holders(account, Tool.ERP_INTEGRATIONS, least))
        .filter(is_active=True, can_push_to_accounting=True)
        .select_related("user")
        .order_by("user__last_name", "user__username")
    )


def accountant_report(run: Run) -> Table:
    members = accountants(run.account)
    rows = [
        {
            "name": ms.user.get_full_name() or ms.user.username,
            "username": ms.user.username,
            "email": ms.user.email,
            "digest": ms.subscribe_erp_digest,
        }
        for ms in members
    ]
    columns = (
        Column("name", "Name"),
        Column("username", "Username"),
        Column("email", "Email"),
        Column("digest", "Gets the daily digest", "bool"),
    )
    return Table(columns, rows, empty="No accounting approvers: grant Can Push to Accounting.")


# --- ERP Job Costs ---------------------------------------------------------------------------

COST_COLUMNS = (
    Column("budget", "Budget", "money"),
    Column("cost", "Job-to-date cost", "money"),
    Column("variance", "Remaining budget", "money"),
    Column("spent", "% of budget", "percent"),
)


def _spent(cost: Decimal, budget: Decimal) -> Decimal | None:
    return (cost * 100 / budget).quantize(Decimal("0.1"), ROUND_HALF_UP) if budget else None


def _with_variance(row: dict[str, Any]) -> dict[str, Any]:
    budget, cost = row["budget"], row["cost"]
    return {**row, "variance": budget - cost, "spent": _spent(cost, budget)}


def _totals(rows: list[dict[str, Any]], label_key: str) -> dict[str, Any]:
    budget, cost = money_total(rows, "budget"), money_total(rows, "cost")
    return _with_variance({label_key: "Total", "budget": budget, "cost": cost})


def _by_code(account: Account, model: Any, project: Project) -> dict[tuple[str, str], Any]:
    where = {"budget__project": project} if model is BudgetLineItem else {"project": project}
    found = (
        model.objects.for_account(account)
        .filter(**where)
        .values(
            code=F("cost_code__standard_code__full_code"),
            code_name=F("cost_code__standard_code__name"),
            type_code=F("cost_type__code"),
            type_name=F("cost_type__name"),
        )
        .annotate(amount=Sum("amount"))
    )
    return {(row["code"] or "", row["type_code"] or ""): row for row in found}


def job_costs_of_project(account: Account, project: Project) -> Table:
    """One job: budget and ERP job-to-date cost per cost code and cost type (two queries)."""
    budget = _by_code(account, BudgetLineItem, project)
    cost = _by_code(account, JobCostTransaction, project)
    rows = []
    for key in sorted(budget.keys() | cost.keys()):
        named = budget.get(key) or cost[key]
        rows.append(
            _with_variance(
                {
                    "code": key[0] or "—",
                    "description": named["code_name"] or "No cost code",
                    "cost_type": named["type_name"] or named["type_code"] or "—",
                    "budget": (budget.get(key) or {}).get("amount") or Decimal("0.00"),
                    "cost": (cost.get(key) or {}).get("amount") or Decimal("0.00"),
                }
            )
        )
    columns = (
        Column("code", "Cost code"),
        Column("description", "Description"),
        Column("cost_type", "Cost type"),
        *COST_COLUMNS,
    )
    chart = bars(
        [(f"{r['code']} {r['cost_type']}", r["budget"], r["cost"]) for r in rows],
        ("Budget", "Job-to-date cost"),
    )
    return Table(
        columns,
        rows,
        _totals(rows, "code") if rows else None,
        empty="No budget and no job cost transactions for this job yet: sync job costs.",
        extra={"chart": chart},
    )


def _by_project(account: Account, model: Any) -> dict[int, Decimal]:
    path = "budget__project_id" if model is BudgetLineItem else "project_id"
    found = model.objects.for_account(account).values(path).annotate(amount=Sum("amount"))
    return {row[path]: row["amount"] or Decimal(0) for row in found}


def job_costs_by_job(run: Run) -> Table:
    """Every job of the account: its budget and job-to-date cost (three queries)."""
    budget = _by_project(run.account, BudgetLineItem)
    cost = _by_project(run.account, JobCostTransaction)
    projects = Project.objects.for_account(run.account).order_by("number")
    url = reverse("report", kwargs={"account": run.account.slug, "report": "job-costs"})
    rows = [
        _with_variance(
            {
                "job": f"{p.number} {p.name}",
                "budget": budget.get(p.pk, Decimal("0.00")),
                "cost": cost.get(p.pk, Decimal("0.00")),
                "link": f"{url}?project={p.pk}",
            }
        )
        for p in projects
        if p.pk in budget or p.pk in cost
    ]
    chart = bars([(r["job"], r["budget"], r["cost"]) for r in rows], ("Budget", "Job-to-date cost"))
    return Table(
        (Column("job", "Job"), *COST_COLUMNS),
        rows,
        _totals(rows, "job") if rows else None,
        empty="No job has a budget or job costs yet: sync job costs from the ERP.",
        extra={"chart": chart},
    )


def job_costs(run: Run) -> Table:
    if run.project is None:
        return job_costs_by_job(run)
    return job_costs_of_project(run.account, run.project)


# --- ERP Unsyncable Direct Costs -------------------------------------------------------------


def _url(account: Account, name: str, kind: str, pk: int | None = None) -> str:
    kwargs: dict[str, Any] = {"account": account.slug, "kind": kind}
    if pk is not None:
        kwargs["pk"] = pk
    return reverse(name, kwargs=kwargs)


def why_not(account: Account, cost: DirectCost) -> list[tuple[str, str, str]]:
    """Why ``cost`` cannot sync, each reason with where to fix it: (reason, URL, link text).
    Reads the cost's project, vendor and prefetched lines only."""
    edit = _url(account, "record-edit", "direct-costs", cost.pk)
    found: list[tuple[str, str, str]] = []
    if cost.project.erp_state != ErpState.SYNCED:
        found.append(
            (
                f"Job {cost.project.number} is not synced with the ERP.",
                _url(account, "record-detail", "projects", cost.project_id),
                "Open the job",
            )
        )
    if cost.vendor is None and cost.kind in INVOICE_KINDS:
        found.append(("An invoice needs a vendor.", edit, "Choose a vendor"))
    elif cost.vendor is not None and cost.vendor.erp_state != ErpState.SYNCED:
        found.append(
            (
                f"Vendor {cost.vendor} is not synced with the ERP.",
                _url(account, "record-detail", "companies", cost.vendor.pk),
                "Open the vendor",
            )
        )
    if cost.kind in INVOICE_KINDS and not cost.invoice_number:
        found.append(("No invoice number.", edit, "Add the invoice number"))
    lines = list(cost.lines.all())
    if not lines:
        found.append(("No line items.", edit, "Add a line"))
    codes = reverse(
        "project-cost-codes", kwargs={"account": account.slug, "project": cost.project_id}
    )
    for line in lines:
        if line.cost_code is None:
            found.append((f"Line {line.position} has no cost code.", edit, "Choose a cost code"))
        elif line.cost_code.standard_code.erp_state != ErpState.SYNCED:
            found.append(
                (f"Cost code {line.cost_code} is not on the ERP's list.", codes, "Job's cost codes")
            )
        if line.cost_type is not None and line.cost_type.erp_state != ErpState.SYNCED:
            found.append(
                (
                    f"Cost type {line.cost_type} is not synced with the ERP.",
                    _url(account, "record-list", "cost-types"),
                    "Cost types",
                )
            )
    return found


def unsyncable_costs(account: Account, project: Project) -> Iterable[DirectCost]:
    return (
        DirectCost.objects.for_account(account)
        .filter(project=project)
        .exclude(erp_state=ErpState.SYNCED)
        .select_related("vendor", "project")
        .prefetch_related("lines__cost_code__standard_code", "lines__cost_type")
        .order_by("date", "pk")
    )


def unsyncable_direct_costs(run: Run) -> Table:
    assert run.project is not None  # a project report
    rows = []
    for cost in unsyncable_costs(run.account, run.project):
        fixes = why_not(run.account, cost)
        if fixes:
            rows.append(
                {
                    "date": cost.date,
                    "kind": cost.get_kind_display(),
                    "invoice_number": cost.invoice_number or "—",
                    "vendor": str(cost.vendor) if cost.vendor else "—",
                    "amount": sum((line.amount for line in cost.lines.all()), Decimal("0.00")),
                    "reasons": [text for text, _, _ in fixes],
                    "fixes": fixes,
                    "link": _url(run.account, "record-detail", "direct-costs", cost.pk),
                }
            )
    columns = (
        Column("date", "Date", "date"),
        Column("kind", "Type"),
        Column("invoice_number", "Invoice #"),
        Column("vendor", "Vendor"),
        Column("amount", "Amount", "money"),
        Column("reasons", "Why it cannot sync", "list"),
    )
    totals = {"date": "Total", "amount": money_total(rows, "amount")} if rows else None
    return Table(columns, rows, totals, empty="Every direct cost of this job can sync.")


# --- Synced Sub Jobs -------------------------------------------------------------------------


def synced_sub_jobs(run: Run) -> Table:
    sub_jobs = (
        SubJob.objects.for_account(run.account)
        .filter(erp_state=ErpState.SYNCED)
        .select_related("project")
        .order_by("project__number", "code")
    )
    rows = [
        {
            "project": f"{sj.project.number} {sj.project.name}",
            "code": sj.code,
            "name": sj.name,
            "origin_id": sj.origin_id,
            "link": _url(run.account, "record-detail", "sub-jobs", sj.pk),
        }
        for sj in sub_jobs
    ]
    columns = (
        Column("project", "Job"),
        Column("code", "Sub job"),
        Column("name", "Name"),
        Column("origin_id", "ERP id"),
    )
    return Table(
        columns,
        rows,
        empty="No synced sub jobs: import them on Ready to Import.",
        extra={"group_by": "project"},
    )


def register_all() -> None:
    register(
        Report(
            "accountants",
            "Accountant Report",
            Action.VIEW_ACCOUNTANT_REPORT,
            "Who may accept and reject exports.",
            accountant_report,
        )
    )
    register(
        Report(
            "job-costs",
            "ERP Job Costs",
            Action.VIEW_ERP_JOB_COSTS_REPORT,
            "Budget against the ERP's job-to-date cost, per cost code and cost type.",
            job_costs,
            levels=frozenset({Level.COMPANY, Level.PROJECT}),
            job_filter=True,
            template="integrations/reports/_job_costs.html",
        )
    )
    register(
        Report(
            "unsyncable-direct-costs",
            "ERP Unsyncable Direct Costs",
            Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT,
            "Direct costs that cannot sync, why, and where to fix each.",
            unsyncable_direct_costs,
            levels=frozenset({Level.PROJECT}),
            template="integrations/reports/_unsyncable.html",
        )
    )
    register(
        Report(
            "synced-sub-jobs",
            "Synced Sub Jobs",
            Action.VIEW_SYNCED_SUB_JOBS,
            "Sub jobs linked with the ERP, by job.",
            synced_sub_jobs,
        )
    )
