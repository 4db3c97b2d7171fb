"""The demo's side of the ERP: file the records the demo says are already synced in the ERP it
is connected to (the sandbox ledger by default, or a Tryton server), under the same ids; and,
in the sandbox, what the portal exported before the demo begins (as the connector filed it)
and what the ERP holds that the portal has not seen yet (:mod:`demo.data.erp_side`): new
vendors and jobs, a prime contract, budgets, job costs and payments of the exported invoices,
for the syncs to bring in."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.pipeline import idempotency_key, payload_for
from connectors.sandbox import models as ledger_models
from connectors.sandbox.console import amount_due
from connectors.sandbox.seed import ensure_exports, ensure_records
from demo.data import erp_side
from demo.exports import EXPORTED_MODELS
from erp.connections import account_key, connection_for, connector_for
from erp.models import ErpConnection
from erp.secrets import seal
from integrations import models as m
from integrations.kinds import kind_of
from tenancy.models import Account

__all__ = ["LEDGER_KINDS", "demo_tryton_url", "seed_erp_ledger", "seed_erp_side"]

# The demo's synced records the ERP had first, as the sandbox ERP knows them: (portal model,
# ledger table).
LEDGER_KINDS: tuple[tuple[type[m.ErpLinkedModel], str], ...] = (
    (m.Company, "company"),
    (m.Project, "project"),
    (m.SubJob, "sub_job"),
    (m.StandardCostCode, "cost_code"),
)


def demo_tryton_url() -> str:
    """The Tryton the demo is pointed at (``ERP_PORTAL_DEMO_TRYTON_URL``), or ""."""
    return os.environ.get("ERP_PORTAL_DEMO_TRYTON_URL", "").strip()


def seed_erp_ledger(account: Account) -> None:
    """Connect the account to the sandbox ERP and file its already-synced records there under
    the same ids, so exports that need them (a commitment's vendor) work at once, and what the
    portal exported (:mod:`demo.exports`); then what the ERP's own users filed
    (:func:`seed_erp_side`). With ``ERP_PORTAL_DEMO_TRYTON_URL`` set, connect it to that Tryton
    instead (``make tryton``)."""
    tryton_url = demo_tryton_url()
    if tryton_url:
        _link_tryton(account, tryton_url)
        return
    connection = connection_for(account)
    ledger = account_key(account)
    for model, kind in LEDGER_KINDS:
        synced = model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
        synced = synced.select_related(*[f for f in ("project", "parent") if hasattr(model, f)])
        rows = [(r.origin_id, str(r), _as_erp_keeps(r)) for r in synced if r.origin_id]
        ensure_records(ledger, kind, rows)
    cost_types = m.CostType.objects.filter(account=account, erp_state=m.ErpState.SYNCED)
    ensure_records(
        ledger,
        "cost_type",
        [(t.origin_id, str(t), _as_erp_keeps(t)) for t in cost_types if t.origin_id],
    )
    _file_exports(account, connection, ledger)
    seed_erp_side(ledger)


def _file_exports(account: Account, connection: ErpConnection, ledger: str) -> int:
    """File the synced records the portal exported as the connector filed them: the payload
    the pipeline built, under its export request's idempotency key, in the order they were
    filed (so the ERP's payments follow it)."""
    exports = []
    for model in EXPORTED_MODELS:
        object_type = kind_of(model).erp_part.object_type.value
        requests = {
            r.item_id: r
            for r in ExportRequest.objects.filter(
                account=account, item_type=object_type, state=RequestState.SYNCED
            ).order_by("sent_at", "pk")  # the latest of an item's requests wins
        }
        synced = model._default_manager.filter(
            account=account, erp_state=m.ErpState.SYNCED, pk__in=list(requests)
        ).exclude(origin_id=None)
        for item in synced:
            request = requests[item.pk]
            key = idempotency_key(connection, request)
            row = (object_type, str(item.origin_id), key, payload_for(request))
            exports.append((item.erp_synced_at, request.pk, row))
    exports.sort(key=lambda export: (export[0], export[1]))
    return ensure_exports(ledger, [row for _, _, row in exports])


def _as_erp_keeps(record: Any) -> dict[str, Any]:
    """A synced record's fields as the ERP keeps them (``connectors.imports``' shapes)."""
    common = {"origin_code": record.origin_code or record.origin_id}
    if isinstance(record, m.Company):
        return {
            **common,
            "name": record.name,
            "tax_id": None,
            "email": record.email or None,
            "phone": record.phone or None,
            "street": record.address or None,
            "city": record.city or None,
            "state_code": record.state_code or None,
            "zip": record.zip or None,
            "country_code": record.country_code or None,
            "is_active": record.is_active,
        }
    if isinstance(record, m.Project):
        return {
            **common,
            "name": record.name,
            "address": record.address or None,
            "city": record.city or None,
            "state_code": record.state_code or None,
            "zip": record.zip or None,
            "country_code": record.country_code or None,
            "start_date": _iso(record.start_date),
            "completion_date": _iso(record.completion_date),
            "estimated_value": str(record.estimated_value),
            "is_active": record.is_active,
        }
    if isinstance(record, m.SubJob):
        return {**common, "job": record.project.origin_id, "code": record.code, "name": record.name}
    if isinstance(record, m.StandardCostCode):
        return {
            **common,
            "code": record.code,
            "full_code": record.full_code,
            "name": record.name,
            "parent": record.parent.origin_id if record.parent else None,
            "is_active": record.is_active,
        }
    if isinstance(record, m.CostType):
        return {**common, "code": record.code, "name": record.name, "is_active": record.is_active}
    return common


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def seed_erp_side(ledger: str, *, today: dt.date | None = None) -> dict[str, int]:
    """File in the sandbox ``ledger`` what the ERP's users did that the portal has not seen:
    new vendors, jobs (and sub jobs), a prime contract, budgets, ~200 job costs on the synced
    jobs, and payments of the invoices the ERP received. Adds only what is missing (by ERP
    number); returns how many rows of each kind it added."""
    today = today or timezone.localdate()
    added = {
        "vendors": ensure_records(ledger, "vendors", erp_side.vendor_rows()),
        "jobs": ensure_records(ledger, "jobs", erp_side.job_rows()),
        "sub_jobs": ensure_records(ledger, "sub_jobs", erp_side.sub_job_rows()),
        "prime_contracts": ensure_records(
            ledger, "prime_contracts", erp_side.prime_contract_rows()
        ),
        "budgets": ensure_records(ledger, "budgets", erp_side.budget_rows()),
    }
    added["job_cost_transactions"] = ensure_records(
        ledger, "job_cost_transactions", _resolvable(ledger, erp_side.job_cost_rows(today))
    )
    added["payments"] = ensure_records(ledger, "payments", _payments(ledger, today))
    return added


def _numbers(table: type[ledger_models.LedgerRecord], ledger: str) -> set[str]:
    return set(table._default_manager.filter(ledger=ledger).values_list("number", flat=True))


def _resolvable(ledger: str, rows: list[erp_side.Row]) -> list[erp_side.Row]:
    """The job costs whose job, cost code and cost type the ledger holds (a real ERP posts
    nothing else)."""
    jobs = _numbers(ledger_models.Job, ledger)
    codes = _numbers(ledger_models.CostCode, ledger)
    types = _numbers(ledger_models.CostType, ledger)
    return [
        row
        for row in rows
        if row[2]["job"] in jobs and row[2]["cost_code"] in codes and row[2]["cost_type"] in types
    ]


def _payments(ledger: str, today: dt.date) -> list[erp_side.Row]:
    """Payments of the subcontractor and owner invoices the ledger holds (oldest first)."""
    invoices = []
    for row in ledger_models.Invoice.objects.filter(ledger=ledger).order_by("pk"):
        kind = row.data.get("type")
        if kind not in ("subcontractor_invoice", "owner_invoice"):
            continue
        billed = row.data.get("billing_date") or row.created_at.date().isoformat()
        invoices.append(
            erp_side.LedgerInvoice(
                row.number, kind, Decimal(amount_due(row)), dt.date.fromisoformat(billed)
            )
        )
    return erp_side.payment_rows(invoices, today)


def _parent_origin(record: Any) -> str | None:
    """The ERP id of the record's parent (a sub job's project, a cost code's division)."""
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
