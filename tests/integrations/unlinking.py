"""Records synced with the sandbox ERP, and the ERP's users deleting them, for the unlink tests
(services, pages, API)."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from connectors.sandbox import console
from erp.connections import account_key, connection_for, connector_for
from integrations.kinds import kind, kind_of
from integrations.models import ErpState
from permissions.levels import Level, Tool
from tests.api.conftest import Records, build_records, everywhere
from tests.factories import member

# The kinds whose synced records may be unlinked (the matrix's six rows): kind key -> the
# attribute of ``Records`` holding one.
UNLINKABLE = {
    "companies": "company",
    "commitments": "commitment",
    "commitment-change-orders": "cco",
    "prime-contract-change-orders": "pcco",
    "subcontractor-invoices": "subcontractor_invoice",
    "owner-invoices": "owner_invoice",
}
# What the sandbox console deletes, per object type.
CONSOLE_KINDS = {
    "company": "vendor",
    "commitment": "commitment",
    "commitment_change_order": "change_order",
    "prime_change_order": "change_order",
    "subcontractor_invoice": "invoice",
    "owner_invoice": "invoice",
}


def user_at(account: Any, erp: Level, approver: bool = False, **kwargs: Any) -> Any:
    """A member at ``erp`` on ERP Integrations and Read Only on every other tool (so they see
    every record), an accounting approver if ``approver``."""
    levels = {**everywhere(Level.READ_ONLY), Tool.ERP_INTEGRATIONS: erp}
    return member(account, levels=levels, can_push_to_accounting=approver, **kwargs)


def file_in_erp(record: Any) -> Any:
    """Export ``record`` to its account's (sandbox) ERP as the pipeline would, and mark it
    synced with the ERP's id; the record, reloaded."""
    erp = kind_of(record).erp_part
    model = type(record)
    loaded = model._default_manager.select_related(*erp.related).get(pk=record.pk)
    connector = connector_for(connection_for(loaded.account))
    key = f"test-{uuid.uuid4().hex[:8]}:{erp.object_type}:{record.pk}:1"
    result = connector.export(erp.object_type, erp.build(loaded), key)
    model._default_manager.filter(pk=record.pk).update(
        origin_id=result.origin_id,
        origin_code=result.origin_code,
        erp_state=ErpState.SYNCED,
        erp_synced_at=timezone.now(),
    )
    return model._default_manager.get(pk=record.pk)


def delete_in_erp(record: Any) -> None:
    """An ERP user deletes the record's ERP copy (the sandbox console)."""
    object_type = kind_of(record).erp_part.object_type
    ledger = account_key(record.account)
    console.record_delete(ledger, kind=CONSOLE_KINDS[object_type], number=record.origin_id)


def synced_record(account: Any, key: str) -> Any:
    """A fresh record of kind ``key`` (nothing else of its set synced), synced with the ERP."""
    records: Records = build_records(account)
    return file_in_erp(getattr(records, UNLINKABLE[key]))


def sendable_commitment(account: Any) -> Any:
    """An unsent commitment whose project, vendor and cost code are synced with the ERP (so
    *Send to ERP* takes it)."""
    records: Records = build_records(account)
    for parent in (records.project, records.company, records.cost_code.standard_code):
        file_in_erp(parent)
    return records.commitment


def reload(record: Any) -> Any:
    return type(record)._default_manager.get(pk=record.pk)


def unlink_kinds() -> list[str]:
    """The kinds the registry says are unlinked (checked against ``UNLINKABLE``)."""
    return [key for key in UNLINKABLE if kind(key).erp and kind(key).erp_part.unlink_action]
