"""The record builder: writes the tables of :mod:`demo.data` into the demo account in dependency
order (cost codes, directory, projects, then what refers to them), remembering what it wrote so
later tables can point at it; the billing records are written by :mod:`demo.invoices`.

Every record is looked up by its natural key and created only when missing; lines are matched by
their parent and position. So a second run adds nothing and changes nothing a demo user edited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar, cast

from demo.data.budgets import budget_amounts, main_cost_type, prime_sov
from demo.data.companies import VENDORS
from demo.data.contracts import (
    COMMITMENT_CHANGE_ORDERS,
    COMMITMENTS,
    PRIME_CHANGE_ORDERS,
    commitment_retainage,
    commitment_sov,
)
from demo.data.cost_codes import CODE_NAMES, COST_TYPES, ERP_COST_CODE_LIST, STANDARD_COST_CODES
from demo.data.direct_costs import DIRECT_COSTS
from demo.data.projects import PROJECT_STATE, PROJECTS, SUB_JOBS
from demo.invoices import seed_owner_invoices, seed_subcontractor_invoices
from demo.rows import add_lines, erp_export, erp_link, iso_date
from integrations import models as m
from tenancy.models import Account

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["RecordSeeder"]

T = TypeVar("T", bound=m.TenantModel)


class RecordSeeder:
    """Writes the tables of :mod:`demo.data` in dependency order, remembering what it wrote."""

    def __init__(self, account: Account, author: User, *, exports: bool = True) -> None:
        self.account = account
        self.author = author
        self.exports = exports
        self.cost_types: dict[str, m.CostType] = {}
        self.codes: dict[str, m.StandardCostCode] = {}
        self.vendors: dict[str, m.Company] = {}
        self.projects: dict[str, m.Project] = {}
        self.cost_codes: dict[tuple[str, str], m.CostCode] = {}  # (project, full code)
        self.prime_contracts: dict[str, m.PrimeContract] = {}
        self.prime_lines: dict[tuple[int, int], m.PrimeContractLineItem] = {}
        self.commitments: dict[tuple[str, str], m.Commitment] = {}
        self.commitment_lines: dict[tuple[int, int], m.CommitmentLineItem] = {}

    def run(self) -> None:
        self.seed_cost_codes()
        self.seed_vendors()
        self.seed_projects()
        self.seed_budgets()
        self.seed_prime_contracts()
        self.seed_commitments()
        self.seed_change_orders()
        seed_subcontractor_invoices(self)
        seed_owner_invoices(self)
        self.seed_direct_costs()

    def get(self, model: type[T], defaults: dict[str, Any] | None = None, **keys: Any) -> T:
        obj, _ = model._default_manager.get_or_create(
            account=self.account, defaults=defaults or {}, **keys
        )
        return cast(T, obj)

    def exported(self, kind: str, key: str, day: dt.date) -> dict[str, Any]:
        """The ERP fields of a record the portal exported before the demo begins (``day`` its
        date); none with ``exports`` off (a Tryton numbers what it receives itself, so the demo
        cannot file them there under their numbers)."""
        return erp_export(kind, key, day) if self.exports else {}

    def seed_cost_codes(self) -> None:
        for code, name in COST_TYPES:
            self.cost_types[code] = self.get(
                m.CostType, code=code, defaults={"name": name, **erp_link("cost_type", code)}
            )
        self.code_list = self.get(
            m.StandardCostCodeList, name=ERP_COST_CODE_LIST, defaults={"is_erp": True}
        )
        through = m.StandardCostCode.default_cost_types.through
        defaults = []
        for full_code, name, cost_types in STANDARD_COST_CODES:
            division, _, code = full_code.partition("-")
            std, created = m.StandardCostCode.objects.get_or_create(
                account=self.account,
                code_list=self.code_list,
                full_code=full_code,
                defaults={
                    "code": code or division,
                    "name": name,
                    "parent": self.codes[division] if code else None,
                    **erp_link("standard_cost_code", full_code),
                },
            )
            self.codes[full_code] = std
            if created:
                defaults += [
                    through(standardcostcode_id=std.pk, costtype_id=self.cost_types[t].pk)
                    for t in cost_types
                ]
        through.objects.bulk_create(defaults)

    def seed_vendors(self) -> None:
        for v in VENDORS:
            self.vendors[v.abbr] = self.get(
                m.Company,
                name=v.name,
                defaults={
                    "abbreviated_name": v.abbr,
                    "vendor_type": v.vendor_type,
                    "address": v.address,
                    "city": v.city,
                    "state_code": v.state_code,
                    "zip": v.zip,
                    "phone": v.phone,
                    "email": f"office@{v.domain}.example",
                    "website": f"https://www.{v.domain}.example",
                    "license_number": v.license_number,
                    **erp_link("company", v.abbr),
                },
            )

    def seed_projects(self) -> None:
        for p in PROJECTS:
            project = self.get(
                m.Project,
                number=p.number,
                defaults={
                    "name": p.name,
                    "stage": p.stage,
                    "address": p.address,
                    "city": p.city,
                    "state_code": PROJECT_STATE,
                    "zip": p.zip,
                    "start_date": iso_date(p.start),
                    "completion_date": iso_date(p.completion),
                    "estimated_value": sum(prime_sov(p.number).values(), Decimal(0)),
                    "cost_code_list": self.code_list,
                    **erp_link("project", p.number),
                },
            )
            self.projects[p.number] = project
            self.seed_project_cost_codes(p.number, project)
        for number, code, name in SUB_JOBS:
            self.get(
                m.SubJob,
                project=self.projects[number],
                code=code,
                defaults={"name": name, **erp_link("sub_job", f"{number}-{code}")},
            )

    def seed_project_cost_codes(self, number: str, project: m.Project) -> None:
        """The standard codes the project's budget uses, at the project level."""
        existing = {
            cc.standard_code_id: cc
            for cc in m.CostCode.objects.filter(project=project, sub_job=None)
        }
        wanted = sorted({code for code, _ in budget_amounts(number)})
        created = m.CostCode.objects.bulk_create(
            m.CostCode(account=self.account, project=project, standard_code=self.codes[code])
            for code in wanted
            if self.codes[code].pk not in existing
        )
        by_std = existing | {cc.standard_code_id: cc for cc in created}
        for code in wanted:
            self.cost_codes[number, code] = by_std[self.codes[code].pk]

    def seed_budgets(self) -> None:
        lines = []
        for number, project in self.projects.items():
            budget = self.get(m.Budget, project=project)
            amounts = budget_amounts(number).items()
            lines += [
                m.BudgetLineItem(
                    budget=budget,
                    position=position,
                    description=CODE_NAMES[code],
                    cost_code=self.cost_codes[number, code],
                    cost_type=self.cost_types[cost_type],
                    amount=amount,
                )
                for position, ((code, cost_type), amount) in enumerate(amounts, 1)
            ]
        add_lines(m.BudgetLineItem, "budget", lines)

    def seed_prime_contracts(self) -> None:
        lines = []
        for p in PROJECTS:
            contract = self.get(
                m.PrimeContract,
                project=self.projects[p.number],
                number=f"{p.number}-01",
                defaults={
                    "title": p.prime_title,
                    "status": p.prime_status,
                    "owner": self.vendors[p.owner],
                    "retainage_percent": Decimal(p.retainage_percent),
                    "start_date": iso_date(p.start),
                    "completion_date": iso_date(p.completion),
                    "description": f"{p.name}, for {self.vendors[p.owner].name}.",
                    **erp_link("prime_contract", p.number),
                },
            )
            self.prime_contracts[p.number] = contract
            lines += [
                m.PrimeContractLineItem(
                    contract=contract,
                    position=position,
                    description=CODE_NAMES[code],
                    cost_code=self.cost_codes[p.number, code],
                    cost_type=self.cost_types[main_cost_type(p.number, code)],
                    amount=amount,
                )
                for position, (code, amount) in enumerate(prime_sov(p.number).items(), 1)
            ]
        self.prime_lines = add_lines(m.PrimeContractLineItem, "contract", lines)

    def seed_commitments(self) -> None:
        Kind = m.Commitment.Kind
        lines = []
        for c in COMMITMENTS:
            is_po = c.number.startswith("PO-")
            commitment = self.get(
                m.Commitment,
                project=self.projects[c.project],
                number=c.number,
                defaults={
                    "kind": Kind.PURCHASE_ORDER if is_po else Kind.SUBCONTRACT,
                    "title": c.title,
                    "status": c.status,
                    "vendor": self.vendors[c.vendor],
                    "retainage_percent": commitment_retainage(c),
                    "description": f"{'Supply' if is_po else 'Furnish and install'}: {c.title}.",
                    "contract_date": iso_date(c.contract_date),
                    "accounting_date": iso_date(c.contract_date),
                    "created_by": self.author,
                    **self.exported(
                        "commitment", f"{c.project}-{c.number}", iso_date(c.contract_date)
                    ),
                },
            )
            self.commitments[c.project, c.number] = commitment
            lines += [
                m.CommitmentLineItem(
                    commitment=commitment,
                    position=position,
                    description=line.description,
                    cost_code=self.cost_codes[c.project, line.full_code],
                    cost_type=self.cost_types[line.cost_type],
                    amount=line.amount,
                )
                for position, line in enumerate(commitment_sov(c), 1)
            ]
        self.commitment_lines = add_lines(m.CommitmentLineItem, "commitment", lines)

    def seed_change_orders(self) -> None:
        cco_lines = []
        for co in COMMITMENT_CHANGE_ORDERS:
            commitment = self.commitments[co.project, co.commitment]
            cco = self.get(
                m.CommitmentChangeOrder,
                commitment=commitment,
                number=co.number,
                defaults={"title": co.title, "status": co.status, "created_by": self.author},
            )
            for position, (line_position, amount, text) in enumerate(co.lines, 1):
                source = self.commitment_lines[commitment.pk, line_position]
                cco_lines.append(
                    m.CommitmentChangeOrderLineItem(
                        change_order=cco,
                        position=position,
                        description=text,
                        commitment_line=source,
                        cost_code_id=source.cost_code_id,
                        cost_type_id=source.cost_type_id,
                        amount=Decimal(amount),
                    )
                )
        add_lines(m.CommitmentChangeOrderLineItem, "change_order", cco_lines)
        pcco_lines = []
        for pco in PRIME_CHANGE_ORDERS:
            contract = self.prime_contracts[pco.project]
            pcco = self.get(
                m.PrimeContractChangeOrder,
                prime_contract=contract,
                number=pco.number,
                defaults={
                    "title": pco.title,
                    "status": pco.status,
                    "date": iso_date(pco.date),
                    "created_by": self.author,
                },
            )
            prime_codes = list(prime_sov(pco.project))
            for position, (code, amount, text) in enumerate(pco.lines, 1):
                prime_line = self.prime_lines[contract.pk, prime_codes.index(code) + 1]
                pcco_lines.append(
                    m.PrimeContractChangeOrderLineItem(
                        change_order=pcco,
                        position=position,
                        description=text,
                        prime_line=prime_line,
                        cost_code_id=prime_line.cost_code_id,
                        cost_type_id=prime_line.cost_type_id,
                        amount=Decimal(amount),
                    )
                )
        add_lines(m.PrimeContractChangeOrderLineItem, "change_order", pcco_lines)

    def seed_direct_costs(self) -> None:
        lines = []
        for d in DIRECT_COSTS:
            cost = self.get(
                m.DirectCost,
                project=self.projects[d.project],
                invoice_number=d.invoice_number,
                defaults={
                    "kind": d.kind,
                    "vendor": self.vendors.get(d.vendor),
                    "date": iso_date(d.date),
                    "status": d.status,
                    "description": d.description,
                },
            )
            lines += [
                m.DirectCostLineItem(
                    direct_cost=cost,
                    position=position,
                    description=text,
                    cost_code=self.cost_codes[d.project, code],
                    cost_type=self.cost_types[cost_type],
                    amount=Decimal(amount),
                )
                for position, (code, cost_type, amount, text) in enumerate(d.lines, 1)
            ]
        add_lines(m.DirectCostLineItem, "direct_cost", lines)
