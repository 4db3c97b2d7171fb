"""Bulk builders for permission tests: many users with chosen grants, in a handful of queries."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from integrations import models as m
from permissions.access import can
from permissions.grants import store_project_levels
from permissions.levels import Level, Tool
from permissions.models import ToolGrant
from tenancy.models import Account, Membership
from tests.factories import (
    CommitmentFactory,
    CompanyFactory,
    CostCodeFactory,
    CostTypeFactory,
    PrimeContractFactory,
    ProjectFactory,
    StandardCostCodeFactory,
)
from tests.permissions.seed_matrix import OTHER_TOOLS, Others, SeedRow

_serial = itertools.count()


@dataclass(frozen=True)
class Spec:
    """One user to build: ERP level, privileges, company-level and project-level grants."""

    erp: Level = Level.NONE
    approver: bool = False
    company: Mapping[Tool, Level] = field(default_factory=dict)
    create_project: bool = False
    on_projects: Mapping[tuple[int, Tool], Level] = field(
        default_factory=dict
    )  # (project pk, tool)
    membership_active: bool = True
    user_active: bool = True

    def others(self, project: Any = None, item_tool: Tool | None = None) -> Others:
        """The hand-made snapshot the seed expectations read (a project grant replaces the
        company level on that project)."""
        company: dict[Tool, Level] = {
            t: lvl for t, lvl in self.company.items() if t != Tool.ERP_INTEGRATIONS
        }
        here = dict(company)
        if project is not None:
            for (pid, tool), level in self.on_projects.items():
                if pid == project.pk:
                    here[tool] = level
        return Others(
            company=company,
            here=here,
            create_project=self.create_project,
            on_project=project is not None,
            item_tool=item_tool,
        )


ALL_OTHER_ADMIN: dict[Tool, Level] = dict.fromkeys(OTHER_TOOLS, Level.ADMIN)


def everything(erp: Level, approver: bool) -> Spec:
    """ERP at ``erp``, Admin on every other tool, 'Create New Project'."""
    return Spec(erp=erp, approver=approver, company=ALL_OTHER_ADMIN, create_project=True)


def build(account: Account, specs: Sequence[Spec]) -> list[Any]:
    """Create one user per spec (3 bulk inserts plus one to read the users back)."""
    user_model = get_user_model()
    tag = next(_serial)
    names = [f"perm-{tag}-{i}" for i in range(len(specs))]
    user_model.objects.bulk_create(
        user_model(username=name, is_active=spec.user_active)
        for name, spec in zip(names, specs, strict=True)
    )
    by_name = user_model.objects.in_bulk(names, field_name="username")
    users = [by_name[name] for name in names]
    Membership.objects.bulk_create(
        Membership(
            account=account,
            user=user,
            is_active=spec.membership_active,
            can_push_to_accounting=spec.approver,
            can_create_project=spec.create_project,
        )
        for user, spec in zip(users, specs, strict=True)
    )
    grants: list[ToolGrant] = []
    on_projects: list[tuple[int, int, Tool, Level]] = []
    for user, spec in zip(users, specs, strict=True):
        grants.append(
            ToolGrant(account=account, user=user, tool=Tool.ERP_INTEGRATIONS, level=spec.erp)
        )
        grants.extend(
            ToolGrant(account=account, user=user, tool=tool, level=level)
            for tool, level in spec.company.items()
            if tool != Tool.ERP_INTEGRATIONS
        )
        on_projects.extend(
            (user.pk, pid, tool, level) for (pid, tool), level in spec.on_projects.items()
        )
    ToolGrant.objects.bulk_create(grants)
    store_project_levels(on_projects)
    return users


def mismatches(
    row: SeedRow,
    cases: Iterable[tuple[Spec, Any]],
    account: Account,
    *,
    project: Any = None,
    item: Item | None = None,
    model: type | None = None,
    allow_standard_approvers: bool = False,
) -> list[str]:
    """Ask ``can()`` for each (spec, user) and describe every answer the seed disagrees with.

    ``item``: ask about that record (expectations use its hand-mapped tool and project);
    ``model``: ask about that record type with company-level grants only.
    """
    obj: Any = item.obj if item is not None else model
    item_tool = item.tool if item is not None else (MODEL_TOOLS[model] if model else None)
    where_project = item.project if item is not None else project
    out = []
    for spec, user in cases:
        got = can(user, row.action, account, project=project, obj=obj)
        want = row.expected(
            spec.erp,
            spec.approver,
            spec.others(where_project, item_tool),
            allow_standard_approvers=allow_standard_approvers,
        )
        if got != want:
            where = f"project {project.pk}" if project is not None else "company"
            if item is not None:
                where += f", {item.name} #{item.obj.pk}"
            if model is not None:
                where += f", {model.__name__} (class)"
            out.append(f"{row.action} @ {where}: can()={got}, seed={want} for {spec}")
    return out


# --- One record of every item type, and the tool each sits in (hand-written from the brief) ----


@dataclass(frozen=True)
class Item:
    name: str
    obj: Any
    tool: Tool
    project: Any  # the record's project, or None for account-wide records


def make_items(account: Account, project: m.Project | None = None) -> dict[str, Item]:
    """One record of each item type that can be sent to ERP, on ``project``."""
    project = project or ProjectFactory.create(account=account)
    today = datetime.date(2026, 4, 1)
    sub_job = m.SubJob.objects.create(account=account, project=project, code="01", name="Phase 1")
    cost_code = CostCodeFactory.create(account=account, project=project)
    standard_code = StandardCostCodeFactory.create(account=account)
    cost_type = CostTypeFactory.create(account=account, code="M", name="Materials")
    company = CompanyFactory.create(account=account)
    budget = m.Budget.objects.create(account=account, project=project)
    prime = PrimeContractFactory.create(account=account, project=project)
    pcco = m.PrimeContractChangeOrder.objects.create(
        account=account, prime_contract=prime, number="1", title="PCCO"
    )
    commitment = CommitmentFactory.create(account=account, project=project, vendor=company)
    cco = m.CommitmentChangeOrder.objects.create(
        account=account, commitment=commitment, number="1", title="CCO"
    )
    sub_invoice = m.SubcontractorInvoice.objects.create(
        account=account, commitment=commitment, number="1", billing_date=today
    )
    owner_invoice = m.OwnerInvoice.objects.create(
        account=account, prime_contract=prime, application_number=1, billing_date=today
    )
    payment = m.Payment.objects.create(
        account=account, project=project, invoice=sub_invoice, payment_date=today
    )
    direct_cost = m.DirectCost.objects.create(account=account, project=project, date=today)
    job_cost = m.JobCostTransaction.objects.create(
        account=account, project=project, transaction_date=today
    )
    rows = [
        ("project", project, Tool.PROJECT_ADMIN, project),
        ("sub_job", sub_job, Tool.PROJECT_ADMIN, project),
        ("cost_code", cost_code, Tool.PROJECT_ADMIN, project),
        ("standard_cost_code", standard_code, Tool.PROJECT_ADMIN, None),
        ("cost_type", cost_type, Tool.PROJECT_ADMIN, None),
        ("company", company, Tool.DIRECTORY, None),
        ("budget", budget, Tool.BUDGET, project),
        ("prime_contract", prime, Tool.PRIME_CONTRACTS, project),
        ("pcco", pcco, Tool.PRIME_CONTRACTS, project),
        ("commitment", commitment, Tool.COMMITMENTS, project),
        ("cco", cco, Tool.COMMITMENTS, project),
        ("payment", payment, Tool.COMMITMENTS, project),
        ("subcontractor_invoice", sub_invoice, Tool.INVOICING, project),
        ("owner_invoice", owner_invoice, Tool.INVOICING, project),
        ("direct_cost", direct_cost, Tool.DIRECT_COSTS, project),
        ("job_cost_transaction", job_cost, Tool.DIRECT_COSTS, project),
    ]
    return {name: Item(name, obj, tool, proj) for name, obj, tool, proj in rows}


ITEM_NAMES = (
    "project",
    "sub_job",
    "cost_code",
    "standard_cost_code",
    "cost_type",
    "company",
    "budget",
    "prime_contract",
    "pcco",
    "commitment",
    "cco",
    "payment",
    "subcontractor_invoice",
    "owner_invoice",
    "direct_cost",
    "job_cost_transaction",
)


# The tool of each record type (hand-written from the brief, not read from permissions.resources).
MODEL_TOOLS: dict[type, Tool] = {
    m.Project: Tool.PROJECT_ADMIN,
    m.SubJob: Tool.PROJECT_ADMIN,
    m.CostCode: Tool.PROJECT_ADMIN,
    m.StandardCostCode: Tool.PROJECT_ADMIN,
    m.CostType: Tool.PROJECT_ADMIN,
    m.Company: Tool.DIRECTORY,
    m.Budget: Tool.BUDGET,
    m.PrimeContract: Tool.PRIME_CONTRACTS,
    m.PrimeContractChangeOrder: Tool.PRIME_CONTRACTS,
    m.Commitment: Tool.COMMITMENTS,
    m.CommitmentChangeOrder: Tool.COMMITMENTS,
    m.Payment: Tool.COMMITMENTS,
    m.SubcontractorInvoice: Tool.INVOICING,
    m.OwnerInvoice: Tool.INVOICING,
    m.DirectCost: Tool.DIRECT_COSTS,
    m.JobCostTransaction: Tool.DIRECT_COSTS,
}
