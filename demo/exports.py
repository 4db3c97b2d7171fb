"""The demo's export history. The records that start exported (those DEMO_ERP_IDS lists under
EXPORTED_KINDS) carry what the export pipeline leaves behind when it files a record: a synced
export request (sent by the project manager, accepted by the accounting approver, filed at the
first attempt), its audit trail (send, accept, export_started, export_synced, as
:mod:`approvals.transitions` writes it) and the export call in the ERP log, dated when the
record was filed (its ``erp_synced_at``). :func:`demo.erp.seed_erp_ledger` files them in the
sandbox ledger under the request's idempotency key, as the connector did.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from approvals.models import ExportRequest, RequestState
from approvals.pipeline import idempotency_key
from approvals.services import request_summary
from audit.services import Change, audit_rows
from erp.calls import WORKER
from erp.connections import connection_for
from erp.models import ErpCall, ErpConnection
from integrations import models as m
from integrations.kinds import Kind, kind_of
from permissions.resources import project_id_of
from tenancy.models import Account

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = ["EXPORTED_MODELS", "seed_export_history"]

S = RequestState
#: The records the portal exports that the demo may start with as exported.
EXPORTED_MODELS: tuple[type[m.ErpLinkedModel], ...] = (
    m.Commitment,
    m.SubcontractorInvoice,
    m.OwnerInvoice,
)
# How long before a record was filed it was sent (the afternoon before), accepted and taken by
# the pipeline (which exports at once); how long the ERP took to answer.
SENT = dt.timedelta(hours=19)
ACCEPTED = dt.timedelta(seconds=3)
CLAIMED = dt.timedelta(seconds=1)
CALL_MS = 420


def seed_export_history(account: Account, *, sender: User, approver: User) -> int:
    """Give each synced record of EXPORTED_MODELS that no export request explains the history
    of its export; return how many (none when reseeding)."""
    connection = connection_for(account)
    found: list[tuple[Kind, Any]] = []
    for model in EXPORTED_MODELS:
        kind = kind_of(model)
        known = ExportRequest.objects.filter(
            account=account, item_type=kind.erp_part.object_type
        ).values("item_id")
        items = (
            model._default_manager.filter(account=account, erp_state=m.ErpState.SYNCED)
            .exclude(origin_id=None)
            .exclude(pk__in=known)
            .select_related(*kind.erp_part.related)
        )
        found += [(kind, item) for item in items]
    found.sort(key=lambda pair: pair[1].erp_synced_at)  # stable: a commitment before its invoices
    for kind, item in found:
        _history(connection, kind, item, sender=sender, approver=approver)
    return len(found)


def _history(
    connection: ErpConnection, kind: Kind, item: Any, *, sender: User, approver: User
) -> None:
    filed: dt.datetime = item.erp_synced_at
    object_type = kind.erp_part.object_type.value
    request = ExportRequest.objects.create(
        account_id=item.account_id,
        item_type=object_type,
        item_id=item.pk,
        project_id=project_id_of(item),
        state=S.SYNCED,
        summary=request_summary(item, kind.erp_part.build(item)),
        sent_by=sender,
        sent_at=filed - SENT,
        decided_by=approver,
        decided_at=filed - ACCEPTED,
        attempts=1,
    )
    ExportRequest.objects.filter(pk=request.pk).update(updated_at=filed)  # auto_now on create
    ErpCall.objects.create(
        account_id=item.account_id,
        connection=connection,
        action="export",
        item_type=object_type,
        item_id=item.pk,
        idempotency_key=idempotency_key(connection, request),
        payload_summary={
            "label": request.label,
            "request": request.pk,
            "amount": request.summary.get("amount"),
        },
        outcome=ErpCall.Outcome.SUCCESS,
        response={"origin_id": item.origin_id, "origin_code": item.origin_code},
        worker=WORKER,
        started_at=filed - CLAIMED,
        duration_ms=CALL_MS,
    )
    trail: tuple[tuple[User | None, str, str, str, dt.datetime, dict[str, Any]], ...] = (
        (sender, "send", m.ErpState.UNSENT, S.PENDING, filed - SENT, {}),
        (approver, "accept", S.PENDING, S.ACCEPTED, filed - ACCEPTED, {}),
        (None, "export_started", S.ACCEPTED, S.EXPORTING, filed - CLAIMED, {}),
        (None, "export_synced", S.EXPORTING, S.SYNCED, filed, {"origin_id": item.origin_id}),
    )
    for actor, verb, before, after, at, data in trail:
        change = Change(
            account_id=item.account_id,
            item_type=object_type,
            item_id=item.pk,
            verb=verb,
            before=before,
            after=after,
            request_id=request.pk,
            data=data,
            at=at,  # dated as written: an audit row cannot be changed afterwards
        )
        audit_rows(actor, [change])
