"""The accounting-acceptance workflow: send, re-send, retrieve, accept, reject.

Each function is one transaction: it asks the policy, locks what it changes, moves the request
and its item together, writes an audit event per item, and leaves side effects (emails, the
export) to run once the transaction has committed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from approvals import export_tasks, notifications
from approvals.errors import DecisionConflict, InvalidTransition, SendRefused
from approvals.items import ItemType, item_type, item_type_of
from approvals.models import AuditEvent, ExportRequest, RequestState
from approvals.payloads import amount_of
from connectors.base import Entity, Problem, validate
from erp.connections import connector_class_for
from integrations.models import ErpState
from permissions.access import can, require
from permissions.policy import Action
from tenancy.models import Account

S = RequestState
# Item states from which *Send to ERP* (or *Re-send*) starts a new request.
SENDABLE = frozenset({ErpState.UNSENT, ErpState.RETRIEVED, ErpState.REJECTED})
# What each decision may start from, and where it leads.
DECISIONS: dict[str, tuple[frozenset[str], RequestState]] = {
    "retrieve": (frozenset({S.PENDING}), S.RETRIEVED),
    "accept": (frozenset({S.PENDING}), S.ACCEPTED),
    "reject": (frozenset({S.PENDING, S.FAILED}), S.REJECTED),
    "retry": (frozenset({S.FAILED}), S.ACCEPTED),
}


def _entity(account: Account, itype: ItemType) -> tuple[str, Entity]:
    connector = connector_class_for(account)
    return connector.label, connector.capabilities.entity(itype.key)


def _summary(itype: ItemType, item: Any, payload: Any) -> dict[str, Any]:
    project = itype.project_of(item)
    amount = amount_of(payload)
    vendor = getattr(payload, "vendor_name", "") or getattr(payload, "party_name", "")
    return {
        "label": str(item),
        "number": getattr(item, "number", "") or str(getattr(item, "application_number", "")),
        "title": getattr(item, "title", "") or getattr(item, "name", ""),
        "project": str(project) if project else "",
        "vendor": vendor,
        "amount": str(amount) if amount is not None else None,
    }


def _audit(request: ExportRequest, actor: Any, verb: str, before: str, **extra: Any) -> AuditEvent:
    return AuditEvent(
        account_id=request.account_id,
        actor=actor,
        verb=verb,
        item_type=request.item_type,
        item_id=request.item_id,
        request=request,
        before=before,
        after=request.state,
        **extra,
    )


@transaction.atomic
def export_send(*, item: Model, actor: Any) -> ExportRequest:
    """*Send to ERP* (or *Re-send*): check the ERP's rules and open a request for approval, or,
    with direct export on for the item's type, accept it at once."""
    itype = item_type_of(item)
    account = Account.objects.get(pk=item.account_id)  # type: ignore[attr-defined]
    require(actor, Action.SEND_ITEMS, account, obj=item)
    item = itype.model._default_manager.select_for_update().get(pk=item.pk)
    item = itype.load(account, [item.pk]).get()
    before = item.erp_state  # type: ignore[attr-defined]
    connector_label, entity = _entity(account, itype)
    if not entity.exports:
        raise SendRefused(
            [Problem("item_type", f"{connector_label} does not take {itype.label.lower()}s.")]
        )
    resync = before == ErpState.SYNCED and entity.export_update
    if before not in SENDABLE and not resync:
        label = ErpState(before).label.lower()
        raise InvalidTransition(f"This {itype.label.lower()} is {label}; it cannot be sent now.")
    payload = itype.build(item)
    problems = validate(payload, entity.rules)
    if problems:
        raise SendRefused(problems)
    direct = bool(
        itype.direct_export_setting
        and getattr(account, itype.direct_export_setting)
        and entity.direct_export
    )
    now = timezone.now()
    project = itype.project_of(item)
    try:
        with transaction.atomic():
            request = ExportRequest.objects.create(
                account=account,
                item_type=itype.key,
                item_id=item.pk,
                project=project,
                state=S.ACCEPTED if direct else S.PENDING,
                direct=direct,
                is_resend=before != ErpState.UNSENT,
                summary=_summary(itype, item, payload),
                sent_by=actor,
                sent_at=now,
                decided_by=actor if direct else None,
                decided_at=now if direct else None,
            )
    except IntegrityError:
        raise InvalidTransition(
            f"This {itype.label.lower()} is already waiting for the ERP."
        ) from None
    itype.model._default_manager.filter(pk=item.pk).update(erp_state=request.state)
    verb = "direct_export" if direct else ("resend" if request.is_resend else "send")
    _audit(request, actor, verb, before).save()
    if direct:
        transaction.on_commit(lambda: export_tasks.enqueue([request.pk]))
    else:
        notify_now = before == ErpState.REJECTED or account.notify_approvers_on_send
        if notify_now:
            transaction.on_commit(lambda: notifications.notify_sent(request.pk))
    return request


def _locked(account: Account, request_ids: Sequence[int]) -> list[ExportRequest]:
    requests = list(
        ExportRequest.objects.select_for_update()
        .filter(account=account, pk__in=request_ids)
        .order_by("pk")
    )
    if len(requests) != len(set(request_ids)):
        raise ExportRequest.DoesNotExist("One of the requests does not exist in this account.")
    return requests


def _check_state(decision: str, requests: list[ExportRequest]) -> None:
    """Refuse (409) if any request has moved on: say who decided it, and when."""
    allowed, _ = DECISIONS[decision]
    for request in requests:
        if request.state not in allowed:
            decider = request.decided_by if request.decided_by_id else None
            raise DecisionConflict(
                label=request.label,
                state_label=RequestState(request.state).label,
                by=(decider.get_full_name() or decider.get_username()) if decider else None,
                at=request.decided_at,
            )


def _move(
    decision: str,
    requests: list[ExportRequest],
    actor: Any,
    *,
    reason: str = "",
    erp_fields: Mapping[str, str] | None = None,
) -> list[ExportRequest]:
    """Move every request (already locked and checked) and its item, audited, in bulk."""
    _, target = DECISIONS[decision]
    now = timezone.now()
    events = []
    items_by_type: dict[str, list[int]] = defaultdict(list)
    for request in requests:
        before = request.state
        request.state = target
        request.updated_at = now  # bulk_update does not apply auto_now
        request.decided_by, request.decided_at = actor, now  # a retrieve too: who took it back
        request.reason = reason
        if erp_fields:
            request.erp_fields = dict(erp_fields)
        items_by_type[request.item_type].append(request.item_id)
        events.append(
            _audit(request, actor, decision, before, reason=reason, data=dict(erp_fields or {}))
        )
    ExportRequest.objects.bulk_update(
        requests, ["state", "decided_by", "decided_at", "reason", "erp_fields", "updated_at"]
    )
    for key, ids in items_by_type.items():
        item_type(key).model._default_manager.filter(pk__in=ids).update(erp_state=target)
    AuditEvent.objects.bulk_create(events)
    return requests


@transaction.atomic
def export_retrieve(*, account: Account, request_id: int, actor: Any) -> ExportRequest:
    """*Retrieve from ERP*: the sender takes an item back before anyone decides on it."""
    (request,) = _locked(account, [request_id])
    itype = item_type(request.item_type)
    item = itype.load(account, [request.item_id]).get()
    require(actor, Action.SEND_ITEMS, account, obj=item)
    _check_state("retrieve", [request])
    return _move("retrieve", [request], actor)[0]


def _require_decider(account: Account, actor: Any, requests: list[ExportRequest]) -> None:
    for key in {r.item_type for r in requests}:
        if not can(actor, item_type(key).accept_action, account):
            raise PermissionDenied(
                f"You are not an accounting approver for {item_type(key).label.lower()}s."
            )


def _clean_erp_fields(
    account: Account, requests: list[ExportRequest], erp_fields: Mapping[str, str]
) -> dict[str, str]:
    """The values the approver typed, checked against what the connector asks for. ERP fields
    belong to one item: a bulk accept of a type that requires some is refused."""
    if erp_fields and len(requests) != 1:
        raise ValidationError({"erp_fields": "ERP fields are given when accepting one item."})
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key in sorted({r.item_type for r in requests}):
        _, entity = _entity(account, item_type(key))
        declared = {f.name: f for f in entity.accept_fields}
        for name, value in erp_fields.items():
            spec = declared.get(name)
            text = str(value).strip()
            if spec is None:
                errors[name] = "The ERP does not ask for this field."
            elif len(text) > spec.max_length:
                errors[name] = f"At most {spec.max_length} characters."
            elif text:
                cleaned[name] = text
        for name, spec in declared.items():
            if spec.required and name not in cleaned:
                errors[name] = (
                    f"{spec.label} is required."
                    if len(requests) == 1
                    else f"The ERP needs a {spec.label} for each item: accept them one by one."
                )
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def export_accept(
    *,
    account: Account,
    request_ids: Sequence[int],
    actor: Any,
    erp_fields: Mapping[str, str] | None = None,
) -> list[ExportRequest]:
    """*Accept*: the approver lets items go to the ERP (one, with ERP fields, or many)."""
    requests = _locked(account, request_ids)
    _require_decider(account, actor, requests)
    _check_state("accept", requests)
    fields = _clean_erp_fields(account, requests, erp_fields or {})
    accepted = _move("accept", requests, actor, erp_fields=fields)
    ids = [r.pk for r in accepted]
    transaction.on_commit(lambda: export_tasks.enqueue(ids))
    return accepted


@transaction.atomic
def export_retry(
    *, account: Account, request_ids: Sequence[int], actor: Any
) -> list[ExportRequest]:
    """*Retry* from *Failed to Export*, once the cause is fixed: back to the export queue."""
    requests = _locked(account, request_ids)
    _require_decider(account, actor, requests)
    _check_state("retry", requests)
    retried = _move("retry", requests, actor)
    ids = [r.pk for r in retried]
    transaction.on_commit(lambda: export_tasks.enqueue(ids))
    return retried


@transaction.atomic
def export_reject(
    *, account: Account, request_ids: Sequence[int], actor: Any, reason: str
) -> list[ExportRequest]:
    """*Reject*: back to the sender with the reason; the item can be edited again."""
    requests = _locked(account, request_ids)
    _require_decider(account, actor, requests)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why, so the sender can fix it."})
    _check_state("reject", requests)
    moved = _move("reject", requests, actor, reason=reason)
    ids = [r.pk for r in moved]
    transaction.on_commit(lambda: notifications.notify_rejected(ids))
    return moved
