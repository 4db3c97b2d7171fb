"""The demo's side of the ERP: file the records the demo says are already synced in the ERP it
is connected to (the sandbox ledger by default, or a Tryton server), under the same ids."""

from __future__ import annotations

import os
from typing import Any

from connectors.sandbox.seed import ensure_records
from erp.connections import connection_for, connector_for
from erp.secrets import seal
from integrations import models as m
from tenancy.models import Account

__all__ = ["LEDGER_KINDS", "seed_erp_ledger"]

# The demo's synced records, as the sandbox ERP knows them: (portal model, ledger table).
LEDGER_KINDS: tuple[tuple[type[m.ErpLinkedModel], str], ...] = (
    (m.Company, "company"),
    (m.Project, "project"),
    (m.SubJob, "sub_job"),
    (m.StandardCostCode, "cost_code"),
)


def seed_erp_ledger(account: Account) -> None:
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
