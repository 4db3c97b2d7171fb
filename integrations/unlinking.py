"""Undoing a record's link to the ERP: *Unlink from ERP* and a PCCO's *Reset*.

**Unlink** (commitments, CCOs, PCCOs, subcontractor and owner invoices, companies; each kind's
matrix row is its ``Erp.unlink_action``): the record must be synced, and the ERP must no
longer have it. The connector is asked first (:meth:`Connector.delete_check`, logged in the ERP
log as ``unlink_check``); while the ERP still holds the record the unlink is refused with what to
delete there. A connector that does not declare ``unlink`` for the type cannot unlink it.

**Reset** (PCCOs, ERP admins, connectors with the ``reset_pccos`` feature): the same without
asking the ERP; its copy there must be deleted by hand.

Either way the record is *Not sent* again (no ERP id, its locked fields editable, sendable as a
new request), the audit trail keeps the ERP record it was linked to, who and why, in the same
transaction, and :data:`integrations.signals.record_unlinked` tells the apps above (a staged
record it came from goes back to Ready to Import). Its export requests are left as they ended:
a synced request is finished and does not hold the record (see ``approvals.models.OPEN_STATES``).

The ERP is asked *outside* the transaction that unlinks, so its call stays in the ERP log when the
unlink is refused (callers answer a refusal rather than raise through a request's transaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from audit.services import Change, audit_rows
from connectors.base import ConnectorError, Feature, ObjectType, TransientError
from erp.calls import Subject, logged_call
from erp.connections import connection_for, connector_class_for, connector_for
from erp.models import ErpConnection
from integrations.kinds import Kind, kind, kind_of
from integrations.models import LOCKED_STATES, ErpState
from integrations.signals import record_unlinked
from permissions.access import require
from permissions.policy import Action
from tenancy.models import Account

UNLINK_CHECK = "unlink_check"  # the ERP log's action for the call
UNLINKED, RESET = "unlinked", "reset"  # the audit verbs
UNLINK_VERBS = (UNLINKED, RESET)
MAX_SHOWN = 5  # records named in a refusal


class UnlinkRefused(Exception):
    """The record cannot be unlinked now; ``message`` says why and what to do. ``status`` is
    the HTTP status that says it: 409 (the record, the ERP or the connector stands in the way),
    503 (the ERP did not answer: try again)."""

    def __init__(self, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Unlinked:
    """The record, unsent again, and what to tell the person who unlinked it."""

    record: Model
    message: str


def unlink_action(kind_: Kind) -> Action:
    """The matrix row that lets a user unlink records of ``kind_`` (LookupError: none)."""
    if kind_.erp is None or kind_.erp.unlink_action is None:
        raise LookupError(f"{kind_.label_plural} are not unlinked from the ERP.")
    return kind_.erp.unlink_action


def is_pcco(kind_: Kind) -> bool:
    return kind_.erp is not None and kind_.erp.object_type == ObjectType.PRIME_CHANGE_ORDER


def name_of(record: Model) -> str:
    """How a refusal names the record: its kind and number (``Commitment SC-004``), else its
    own name (``Acme Concrete``, ``Pay application #3``)."""
    number = getattr(record, "number", "")
    return f"{kind_of(record).erp_label} {number}" if number else str(record)


def erp_name_of(record: Any) -> str:
    """The ERP record it is linked to, as the ERP's users know it."""
    code, origin = record.origin_code, record.origin_id
    return f"{code} (ERP id {origin})" if code and code != origin else str(code or origin)


def unlink_refusal(account: Account, record: Model) -> str:
    """Why ``record`` cannot be unlinked whatever the ERP says (empty: it may be tried)."""
    kind_, connector = kind_of(record), connector_class_for(account)
    if not connector.capabilities.entity(kind_.erp_part.object_type).unlink:
        what = kind_.label_plural.lower()
        return f"{connector.label} cannot unlink {what}: its connector does not offer it."
    return _not_linked(record) or _dependents(kind_, record)


def reset_refusal(account: Account, record: Model) -> str:
    """Why the PCCO ``record`` cannot be reset (empty: it can)."""
    connector = connector_class_for(account)
    if Feature.RESET_PCCOS not in connector.capabilities.features:
        return f"{connector.label} does not reset prime contract change orders; unlink it instead."
    return _not_linked(record)


def record_unlink(*, actor: Any, record: Model, reason: str) -> Unlinked:
    """*Unlink from ERP*: once the ERP no longer has ``record``, make it unsent again.

    Raises ``PermissionDenied`` (the matrix refuses), ``ValidationError`` (no reason),
    ``LookupError`` (the kind is not unlinked) or :class:`UnlinkRefused`."""
    kind_ = kind_of(record)
    account = _account_of(record)
    require(actor, unlink_action(kind_), account, obj=record)
    reason = _reason(reason, required=True)
    refusal = unlink_refusal(account, record)
    if refusal:
        raise UnlinkRefused(refusal)
    connection = connection_for(account)
    if connection.is_paused:
        raise UnlinkRefused(
            f"The ERP connection is paused ({connection.paused_reason or 'no reason given'}): "
            "resume it, then unlink."
        )
    if not _gone_from_erp(connection, kind_, record):
        raise UnlinkRefused(
            f"{name_of(record)} is still in the ERP as {erp_name_of(record)}: delete it there "
            "first, then unlink."
        )
    former = erp_name_of(record)
    unlinked = _unsync(actor, account, record, reason=reason, reset=False)
    return Unlinked(
        unlinked,
        f"{name_of(unlinked)} is unlinked from the ERP (it was {former} there): it can be "
        "edited and sent again.",
    )


def pcco_reset(*, actor: Any, record: Model, reason: str = "") -> Unlinked:
    """*Reset* a synced PCCO: unsent again at once, without asking the ERP, whose copy must then
    be deleted by hand (the message says so)."""
    kind_ = kind_of(record)
    if not is_pcco(kind_):
        raise LookupError(f"{kind_.label_plural} are not reset; only prime contract change orders.")
    account = _account_of(record)
    require(actor, Action.RESET_PCCO, account, obj=record)
    refusal = reset_refusal(account, record)
    if refusal:
        raise UnlinkRefused(refusal)
    former = erp_name_of(record)
    reset = _unsync(actor, account, record, reason=_reason(reason, required=False), reset=True)
    return Unlinked(
        reset,
        f"{name_of(reset)} was reset: it is no longer linked to the ERP and can be sent again. "
        f"Its copy in the ERP ({former}) was not deleted: delete it there by hand.",
    )


# --- The steps -------------------------------------------------------------------------------


def _account_of(record: Model) -> Account:
    return Account.objects.get(pk=record.account_id)  # type: ignore[attr-defined]  # a tenant's


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": "Say why it is unlinked (the history keeps it)."})
    return reason


def _not_linked(record: Any) -> str:
    if record.erp_state == ErpState.SYNCED and record.origin_id:
        return ""
    state = ErpState(record.erp_state).label.lower()
    return f"{name_of(record)} is not synced with the ERP (it is {state}): nothing to unlink."


def _dependents(kind_: Kind, record: Model) -> str:
    """Records that stand on this one in the ERP (a commitment's change orders and invoices, a
    company's commitments), still sent or synced: they go first."""
    waiting: list[str] = []
    for related, key in kind_.web.children if kind_.web else ():
        if kind(key).erp is None:
            continue
        found = getattr(record, related).filter(erp_state__in=LOCKED_STATES).order_by("pk")
        waiting += [f"{row} ({ErpState(row.erp_state).label.lower()})" for row in found]
    if not waiting:
        return ""
    listed = ", ".join(waiting[:MAX_SHOWN]) + (" and more" if len(waiting) > MAX_SHOWN else "")
    return (
        f"{name_of(record)} has records with the ERP that refer to it: {listed}. Unlink (or "
        "retrieve) them first."
    )


def _gone_from_erp(connection: ErpConnection, kind_: Kind, record: Any) -> bool:
    """Ask the connector whether the ERP deleted the record (one call, in the ERP log)."""
    object_type = kind_.erp_part.object_type.value
    subject = Subject(
        item_type=object_type,
        item_id=record.pk,
        summary={"label": str(record), "origin_id": record.origin_id},
    )
    try:
        with logged_call(connection, UNLINK_CHECK, subject) as call:
            gone = connector_for(connection).delete_check(object_type, record.origin_id)
            call.response = {"gone": gone}
    except ConnectorError as exc:
        status = 503 if isinstance(exc, TransientError) else 409
        raise UnlinkRefused(
            f"The ERP could not say whether {name_of(record)} is gone: {exc.message}",
            status=status,
        ) from exc
    return bool(gone)


@transaction.atomic
def _unsync(actor: Any, account: Account, record: Any, *, reason: str, reset: bool) -> Any:
    """The record as it was before it was sent (in one transaction with its audit row)."""
    model = type(record)
    locked = model._default_manager.select_for_update().get(pk=record.pk)
    if (locked.erp_state, locked.origin_id) != (record.erp_state, record.origin_id):
        raise UnlinkRefused(f"{name_of(locked)} changed meanwhile; reload it and try again.")
    former = {"origin_id": locked.origin_id, "origin_code": locked.origin_code}
    before, synced_at = locked.erp_state, _iso(locked.erp_synced_at)
    locked.origin_id, locked.origin_code, locked.origin_data = None, "", {}
    locked.erp_state, locked.erp_synced_at = ErpState.UNSENT, None
    locked.erp_changed = False
    locked.save(
        update_fields=[
            "origin_id",
            "origin_code",
            "origin_data",
            "erp_state",
            "erp_synced_at",
            "erp_changed",
            "updated_at",
        ]
    )
    kind_ = kind_of(locked)
    change = Change(
        account_id=account.pk,
        item_type=kind_.type_name,
        item_id=locked.pk,
        verb=RESET if reset else UNLINKED,
        before=before,
        after=ErpState.UNSENT,
        reason=reason,
        data={**former, "erp_synced_at": synced_at},
    )
    audit_rows(actor, [change])
    record_unlinked.send(
        sender=model,
        account=account,
        record=locked,
        object_type=kind_.erp_part.object_type.value,
        actor=actor,
        reason=reason,
        reset=reset,
        **former,
    )
    return locked


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None
