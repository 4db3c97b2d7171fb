"""An item's trip to the ERP as its page shows it: its state, its requests, its story and what
the user may do with it (*Send*, *Retrieve*, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from approvals.history import History, item_history
from approvals.models import ExportRequest, RequestState
from approvals.selectors import Paused, paused
from approvals.services import SENDABLE, may_send
from audit.models import AuditEvent
from erp.connections import connector_class_for
from integrations.kinds import Kind, kind_of
from integrations.models import ErpState
from integrations.unlinking import UNLINK_VERBS
from integrations.web.forms import locked_reason
from tenancy.models import Account


@dataclass
class ItemWorkflow:
    """What an item page shows about the item's trip to the ERP, and what the user may do."""

    item: Model
    kind: Kind
    state: str
    state_label: str
    history: list[ExportRequest]
    may_send: bool
    send_label: str  # "" when the item cannot be sent now
    open_request: ExportRequest | None  # the pending request *Retrieve* takes back
    last_reject: ExportRequest | None  # shown while the item is rejected
    failure: ExportRequest | None  # shown while the item failed to export
    locked: str | None
    unlinked: AuditEvent | None = None  # shown while the item is unsent again after an unlink
    # Accepted while the connection is paused: the item reads "Waiting: exports paused".
    paused: Paused | None = None
    story: History | None = None  # every event of the item, newest first (approvals.history)

    @property
    def key(self) -> str:
        return self.kind.erp_part.object_type.value


def item_workflow(user: Any, account: Account, item: Model) -> ItemWorkflow:
    """The item's state, its requests (newest first), its story and its buttons: five queries
    (six for an unsent item: how it was last unlinked, if it was), whatever its history."""
    kind = kind_of(item)
    object_type = kind.erp_part.object_type.value
    state = str(getattr(item, "erp_state", ErpState.UNSENT))
    history = list(
        ExportRequest.objects.filter(account=account, item_type=object_type, item_id=item.pk)
        .select_related("sent_by", "decided_by")
        .order_by("-sent_at", "-id")
    )
    may = may_send(user, account, item)
    send_label = ""
    if may:
        entity = connector_class_for(account).capabilities.entity(object_type)
        if entity.exports and state == ErpState.UNSENT:
            send_label = "Send to ERP"
        elif entity.exports and (
            state in SENDABLE or (state == ErpState.SYNCED and entity.export_update)
        ):
            send_label = (
                "Send update to ERP" if getattr(item, "origin_id", None) else "Re-send to ERP"
            )

    def latest(request_state: RequestState) -> ExportRequest | None:
        return next((r for r in history if r.state == request_state), None)

    return ItemWorkflow(
        item=item,
        kind=kind,
        state=state,
        state_label=getattr(item, "erp_state_label", ErpState(state).label),
        history=history,
        may_send=may,
        send_label=send_label,
        open_request=latest(RequestState.PENDING) if state == ErpState.PENDING else None,
        last_reject=latest(RequestState.REJECTED) if state == ErpState.REJECTED else None,
        failure=latest(RequestState.FAILED) if state == ErpState.FAILED else None,
        locked=locked_reason(item),
        unlinked=_last_unlink(account, kind, item) if state == ErpState.UNSENT else None,
        paused=paused(user, account) if state == ErpState.ACCEPTED else None,
        story=item_history(account, kind, item),
    )


def _last_unlink(account: Account, kind: Kind, item: Model) -> AuditEvent | None:
    """How the item came off the ERP, if it was unlinked (or reset) since it was synced."""
    return (
        AuditEvent.objects.filter(
            account=account,
            item_type=kind.type_name,
            item_id=item.pk,
            verb__in=UNLINK_VERBS,
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
