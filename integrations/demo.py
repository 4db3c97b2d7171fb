"""``seed_demo()``: load the demo account, Summit Ridge Builders (data in :mod:`demo_data`).

Idempotent: each record is looked up by its natural key (slug, username, name, number, code)
and created only when missing; lines are matched by their parent and position. Reseeding
duplicates nothing and overwrites nothing a demo user changed: an item sent to the ERP stays
sent, a changed password stays changed (a new user, or one without a usable password, gets
``demo``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.contrib.auth import get_user_model
from django.db import transaction

from connectors.sandbox.seed import ensure_records
from erp.connections import connection_for, connector_for
from erp.secrets import seal
from integrations import demo_data as data
from integrations import models as m
from integrations.demo_data import DEMO_ERP_IDS, DEMO_PASSWORD, DEMO_USERS
from integrations.models.invoices import InvoiceLine
from integrations.models.lines import CostedLine
from permissions.models import ToolGrant
from tenancy.models import Account, Membership

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import Manager

__all__ = ["DEMO_ERP_IDS", "DEMO_PASSWORD", "DEMO_USERS", "demo_summary", "seed_demo"]

T = TypeVar("T", bound=m.TenantModel)
L = TypeVar("L", bound=CostedLine | InvoiceLine)


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@transaction.atomic
def seed_demo(*, stdout: Writer | None = None) -> Account:
    """Create the demo account, or complete it where records are missing; return it."""
    account, _ = Account.objects.get_or_create(
        slug=data.ACCOUNT_SLUG, defaults={"name": data.ACCOUNT_NAME}
    )
    users = _seed_users(account)
    _Seeder(account, author=users["pm"]).run()
    _seed_erp_ledger(account)
    if stdout is not None:
        for line in demo_summary(account):
            stdout.write(f"{line}\n")
    return account


# The demo's synced records, as the sandbox ERP knows them: (portal model, ledger table).
LEDGER_KINDS: tuple[tuple[type[m.ErpLinkedModel], str], ...] = (
    (m.Company, "company"),
    (m.Project, "project"),
    (m.SubJob, "sub_job"),
    (m.StandardCostCode, "cost_code"),
)


def _seed_erp_ledger(account: Account) -> None:
    """Connect the account to the sandbox ERP and file its already-synced records there under
    the same ids, so exports that need them (a commitment's vendor) work at once. With
    ``ERP_PORTAL_DEMO_TRYTON_URL`` set, connect it to that Tryton instead (``make tryton``)."""
    tryton_url = os.environ.get("ERP_PORTAL_DEMO_TRYTON_URL", "").strip()
    if tryton_url:
        _link_tryton(account, tryton_url)
        return
    connection = connection_for(account)
    ledger = str(connection.settings.get("ledger") or account.slug)
    for model, kind in LEDGER_KINDS:
        synced = model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
        rows = [(r.origin_id, str(r), {"seeded": True}) for r in synced if r.origin_id]
        ensure_records(ledger, kind, rows)
    cost_types = m.CostType.objects.filter(account=account, erp_state=m.ErpState.SYNCED)
    ensure_records(
        ledger, "cost_type", [(t.origin_id, str(t), {}) for t in cost_types if t.origin_id]
    )


def _parent_origin(record: Any) -> str | None:
    parent = getattr(record, "project", None) or getattr(record, "parent", None)
    return parent.origin_id if parent is not None else None


def _link_tryton(account: Account, url: str) -> None:
    """Point the demo at a Tryton server and give Tryton the records the demo says are already
    synced (parties and analytic accounts under the same codes)."""
    connection = connection_for(account)
    connection.connector_key = "tryton"
    connection.settings = {
        "url": url,
        "database": os.environ.get("ERP_PORTAL_DEMO_TRYTON_DATABASE", "erp"),
        "user": os.environ.get("ERP_PORTAL_DEMO_TRYTON_USER", "admin"),
    }
    connection.secrets = seal(
        {"password": os.environ.get("ERP_PORTAL_DEMO_TRYTON_PASSWORD", "admin")}
    )
    connection.save()
    connector = connector_for(connection)
    for model, kind in LEDGER_KINDS:
        synced = (
            model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
            .select_related(*[f for f in ("project", "parent") if hasattr(model, f)])
            .order_by("pk")
        )
        rows = [(r.origin_id, str(r), _parent_origin(r)) for r in synced if r.origin_id]
        ours = {code for code, _, _ in rows}
        # Parents first: a division before its cost codes.
        for level in (False, True):
            batch = [row for row in rows if (row[2] in ours) is level]
            connector.ensure_records(kind, batch)  # type: ignore[attr-defined]


def demo_summary(account: Account) -> list[str]:
    """One line per kind of record: how many the account has, and how many are synced."""
    kinds: list[tuple[str, type[m.TenantModel]]] = [
        ("Companies", m.Company),
        ("Projects", m.Project),
        ("Sub jobs", m.SubJob),
        ("Cost types", m.CostType),
        ("Standard cost codes", m.StandardCostCode),
        ("Project cost codes", m.CostCode),
        ("Budgets", m.Budget),
        ("Prime contracts", m.PrimeContract),
        ("Commitments", m.Commitment),
        ("Commitment change orders", m.CommitmentChangeOrder),
        ("Prime contract change orders", m.PrimeContractChangeOrder),
        ("Subcontractor invoices", m.SubcontractorInvoice),
        ("Owner invoices", m.OwnerInvoice),
        ("Direct costs", m.DirectCost),
    ]
    lines = [f"{account.name} ({account.slug}):"]
    for label, model in kinds:
        line = f"  {label}: {model._default_manager.filter(account=account).count()}"
        if issubclass(model, m.ErpLinkedModel):
            synced = model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
            line += f" ({synced.count()} synced)"
        lines.append(line)
    return lines


def _seed_users(account: Account) -> dict[str, User]:
    user_model = get_user_model()
    users: dict[str, User] = {}
    for person in data.DEMO_PEOPLE:
        user, created = user_model._default_manager.get_or_create(
            username=person.username,
            defaults={
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": f"{person.username}@example.com",
                "is_staff": person.superuser,
                "is_superuser": person.superuser,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(
            account=account,
            user=user,
            defaults={"job_title": person.job_title, **{p.value: True for p in person.privileges}},
        )
        users[person.username] = user
    _seed_grants(account, users)
    return users


def _seed_grants(account: Account, users: dict[str, User]) -> None:
    """Company-level grants; one a user already has (at whatever level) is left alone."""
    have = set(
        ToolGrant.objects.filter(account=account, project=None).values_list("user_id", "tool")
    )
    ToolGrant.objects.bulk_create(
        ToolGrant(account=account, user=users[person.username], tool=tool, level=level)
        for person in data.DEMO_PEOPLE
        for tool, level in person.grants.items()
        if (users[person.username].pk, tool) not in have
    )


def _erp_link(kind: str, key: str) -> dict[str, Any]:
    """The ERP fields of a record that starts synced (listed in DEMO_ERP_IDS), else none."""
    if key not in DEMO_ERP_IDS[kind]:
        return {}
    origin_id, origin_code = DEMO_ERP_IDS[kind][key]
    return {
        "origin_id": origin_id,
        "origin_code": origin_code,
        "origin_data": {"id": origin_id, "code": origin_code},
        "erp_state": m.ErpState.SYNCED,
        "erp_synced_at": data.ERP_SYNCED_AT,
    }


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _billing_period(month: int) -> dict[str, dt.date]:
    """A month of BILLING_YEAR, billed on its last day."""
    end = dt.date(data.BILLING_YEAR, month, calendar.monthrange(data.BILLING_YEAR, month)[1])
    return {"billing_date": end, "period_start": end.replace(day=1), "period_end": end}


def _add_lines(model: type[L], parent: str, lines: list[L]) -> dict[tuple[int, int], L]:
    """Create the lines their parents lack (by position); return all by (parent id, position)."""

    def key(line: L) -> tuple[int, int]:
        return getattr(line, f"{parent}_id"), line.position

    manager = cast("Manager[L]", model._default_manager)
    parent_ids = {key(line)[0] for line in lines}
    existing = {key(x): x for x in manager.filter(**{f"{parent}_id__in": parent_ids})}
    created = manager.bulk_create([x for x in lines if key(x) not in existing])
    return existing | {key(x): x for x in created}


class _Seeder:
    """Writes the tables of :mod:`demo_data` in dependency order, remembering what it wrote."""

    def __init__(self, account: Account, author: User) -> None:
        self.account = account
        self.author = author
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
        self.seed_subcontractor_invoices()
        self.seed_owner_invoices()
        self.seed_direct_costs()

    def get(self, model: type[T], defaults: dict[str, Any] | None = None, **keys: Any) -> T:
        obj, _ = model._default_manager.get_or_create(
            account=self.account, defaults=defaults or {}, **keys
        )
        return obj

    def seed_cost_codes(self) -> None:
        for code, name in data.COST_TYPES:
            self.cost_types[code] = self.get(
                m.CostType, code=code, defaults={"name": name, **_erp_link("cost_type", code)}
            )
        self.code_list = self.get(
            m.StandardCostCodeList, name=data.ERP_COST_CODE_LIST, defaults={"is_erp": True}
        )
        through = m.StandardCostCode.default_cost_types.through
        defaults = []
        for full_code, name, cost_types in data.STANDARD_COST_CODES:
            division, _, code = full_code.partition("-")
            std, created = m.StandardCostCode.objects.get_or_create(
                account=self.account,
                code_list=self.code_list,
                full_code=full_code,
                defaults={
                    "code": code or division,
                    "name": name,
                    "parent": self.codes[division] if code else None,
                    **_erp_link("standard_cost_code", full_code),
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
        for v in data.VENDORS:
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
                    **_erp_link("company", v.abbr),
                },
            )

    def seed_projects(self) -> None:
        for p in data.PROJECTS:
            project = self.get(
                m.Project,
                number=p.number,
                defaults={
                    "name": p.name,
                    "stage": p.stage,
                    "address": p.address,
                    "city": p.city,
                    "state_code": data.PROJECT_STATE,
                    "zip": p.zip,
                    "start_date": _date(p.start),
                    "completion_date": _date(p.completion),
                    "estimated_value": sum(data.prime_sov(p.number).values(), Decimal(0)),
                    "cost_code_list": self.code_list,
                    **_erp_link("project", p.number),
                },
            )
            self.projects[p.number] = project
            self.seed_project_cost_codes(p.number, project)
        for number, code, name in data.SUB_JOBS:
            self.get(
                m.SubJob,
                project=self.projects[number],
                code=code,
                defaults={"name": name, **_erp_link("sub_job", f"{number}-{code}")},
            )

    def seed_project_cost_codes(self, number: str, project: m.Project) -> None:
        """The standard codes the project's budget uses, at the project level."""
        existing = {
            cc.standard_code_id: cc
            for cc in m.CostCode.objects.filter(project=project, sub_job=None)
        }
        wanted = sorted({code for code, _ in data.budget_amounts(number)})
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
            amounts = data.budget_amounts(number).items()
            lines += [
                m.BudgetLineItem(
                    budget=budget,
                    position=position,
                    description=data.CODE_NAMES[code],
                    cost_code=self.cost_codes[number, code],
                    cost_type=self.cost_types[cost_type],
                    amount=amount,
                )
                for position, ((code, cost_type), amount) in enumerate(amounts, 1)
            ]
        _add_lines(m.BudgetLineItem, "budget", lines)

    def seed_prime_contracts(self) -> None:
        lines = []
        for p in data.PROJECTS:
            contract = self.get(
                m.PrimeContract,
                project=self.projects[p.number],
                number=f"{p.number}-01",
                defaults={
                    "title": p.prime_title,
                    "status": p.prime_status,
                    "owner": self.vendors[p.owner],
                    "retainage_percent": Decimal(p.retainage_percent),
                    "start_date": _date(p.start),
                    "completion_date": _date(p.completion),
                    "description": f"{p.name}, for {self.vendors[p.owner].name}.",
                    **_erp_link("prime_contract", p.number),
                },
            )
            self.prime_contracts[p.number] = contract
            lines += [
                m.PrimeContractLineItem(
                    contract=contract,
                    position=position,
                    description=data.CODE_NAMES[code],
                    cost_code=self.cost_codes[p.number, code],
                    cost_type=self.cost_types[data.main_cost_type(p.number, code)],
                    amount=amount,
                )
                for position, (code, amount) in enumerate(data.prime_sov(p.number).items(), 1)
            ]
        self.prime_lines = _add_lines(m.PrimeContractLineItem, "contract", lines)

    def seed_commitments(self) -> None:
        Kind = m.Commitment.Kind
        lines = []
        for c in data.COMMITMENTS:
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
                    "retainage_percent": data.commitment_retainage(c),
                    "description": f"{'Supply' if is_po else 'Furnish and install'}: {c.title}.",
                    "contract_date": _date(c.contract_date),
                    "accounting_date": _date(c.contract_date),
                    "created_by": self.author,
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
                for position, line in enumerate(data.commitment_sov(c), 1)
            ]
        self.commitment_lines = _add_lines(m.CommitmentLineItem, "commitment", lines)

    def seed_change_orders(self) -> None:
        cco_lines = []
        for co in data.COMMITMENT_CHANGE_ORDERS:
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
        _add_lines(m.CommitmentChangeOrderLineItem, "change_order", cco_lines)
        pcco_lines = []
        for pco in data.PRIME_CHANGE_ORDERS:
            contract = self.prime_contracts[pco.project]
            pcco = self.get(
                m.PrimeContractChangeOrder,
                prime_contract=contract,
                number=pco.number,
                defaults={
                    "title": pco.title,
                    "status": pco.status,
                    "date": _date(pco.date),
                    "created_by": self.author,
                },
            )
            prime_codes = list(data.prime_sov(pco.project))
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
        _add_lines(m.PrimeContractChangeOrderLineItem, "change_order", pcco_lines)

    def seed_subcontractor_invoices(self) -> None:
        lines = []
        for billing in data.SUBCONTRACTOR_BILLING:
            spec = data.commitment_by_key(billing.project, billing.commitment)
            commitment = self.commitments[billing.project, billing.commitment]
            for requisition in data.requisitions(billing):
                invoice = self.get(
                    m.SubcontractorInvoice,
                    commitment=commitment,
                    number=f"{spec.vendor}{billing.project}-{requisition.month:02d}",
                    defaults={**_billing_period(requisition.month), "status": requisition.status},
                )
                for position, work in enumerate(requisition.work, 1):
                    source = self.commitment_lines[commitment.pk, position]
                    lines.append(
                        m.SubcontractorInvoiceLineItem(
                            invoice=invoice,
                            position=position,
                            description=source.description,
                            commitment_line=source,
                            work_completed=work,
                            work_retainage=data.retainage(work, data.commitment_retainage(spec)),
                        )
                    )
        _add_lines(m.SubcontractorInvoiceLineItem, "invoice", lines)

    def seed_owner_invoices(self) -> None:
        lines = []
        for p in data.PROJECTS:
            contract = self.prime_contracts[p.number]
            for number, application in enumerate(data.pay_applications(p.number), 1):
                invoice = self.get(
                    m.OwnerInvoice,
                    prime_contract=contract,
                    application_number=number,
                    defaults={**_billing_period(application.month), "status": application.status},
                )
                for position, work in enumerate(application.work, 1):
                    source = self.prime_lines[contract.pk, position]
                    lines.append(
                        m.OwnerInvoiceLineItem(
                            invoice=invoice,
                            position=position,
                            description=source.description,
                            prime_line=source,
                            work_completed=work,
                            work_retainage=data.retainage(work, Decimal(p.retainage_percent)),
                        )
                    )
        _add_lines(m.OwnerInvoiceLineItem, "invoice", lines)

    def seed_direct_costs(self) -> None:
        lines = []
        for d in data.DIRECT_COSTS:
            cost = self.get(
                m.DirectCost,
                project=self.projects[d.project],
                invoice_number=d.invoice_number,
                defaults={
                    "kind": d.kind,
                    "vendor": self.vendors.get(d.vendor),
                    "date": _date(d.date),
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
        _add_lines(m.DirectCostLineItem, "direct_cost", lines)
