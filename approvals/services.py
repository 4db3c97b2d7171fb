"""The accounting-acceptance workflow: send, re-send, retrieve, accept, reject.

Each function is one transaction: it asks the policy, locks what it changes, moves the request
and its item together, writes an audit event per item, and leaves side effects (emails, the
export) to run once the transaction has committed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from approvals import export_tasks, notifications, tasks, transitions
from approvals.errors import DecisionConflict, InvalidTransition, SendRefused
from approvals.models import ExportRequest, RequestState
from approvals.numbering import accept_fields
from connectors.base import Entity, Problem, validate
from erp.connections import connector_class_for
from integrations.budget_pairs import BudgetPairs, budget_pairs_add
from integrations.kinds import Erp, Kind, by_object_type, kind_of
from integrations.models import ErpState
from integrations.payloads import amount_of
from integrations.validation import text_problem
from permissions.access import can, require
from permissions.policy import Action
from permissions.resources import project_of
from tenancy.models import Account

S = RequestState
# Item states from which *Send to ERP* (or *Re-send*) starts a new request.
SENDABLE = frozenset({ErpState.UNSENT, ErpState.RETRIEVED, ErpState.REJECTED})
# Requests whose record may be sent again as a new request (*Re-send*).
RESENDABLE = frozenset({S.RETRIEVED, S.REJECTED})
# What each decision may start from, and where it leads.
DECISIONS: dict[str, tuple[frozenset[str], RequestState]] = {
    "retrieve": (frozenset({S.PENDING}), S.RETRIEVED),
    "accept": (frozenset({S.PENDING}), S.ACCEPTED),
    "reject": (frozenset({S.PENDING, S.FAILED}), S.REJECTED),
    "retry": (frozenset({S.FAILED}), S.ACCEPTED),
}


def _entity(account: Account, kind: Kind) -> tuple[str, Entity]:
    connector = connector_class_for(account)
    return connector.label, connector.capabilities.entity(_erp(kind).object_type)


def _erp(kind: Kind) -> Erp:
    if kind.erp is None:
        raise LookupError(f"{kind.label_plural} are not sent to the ERP.")
    return kind.erp


def may_send(user: Any, account: Account, item: Model) -> bool:
    """*Send, Retrieve, or Resend Items*: Admin on the item's tool, or, for a kind another
    matrix row also lets send (a project: *Add a Procore Project to your ERP System*), that
    row on the ERP tool."""
    if can(user, Action.SEND_ITEMS, account, obj=item):
        return True
    also = _erp(kind_of(item)).also_sent_by
    return (
        also is not None
        and can(user, also, account)
        and can(user, Action.VIEW_RECORDS, account, obj=item)
    )


def require_sender(user: Any, account: Account, item: Model) -> None:
    if not may_send(user, account, item):
        require(user, Action.SEND_ITEMS, account, obj=item)  # refused, with the row's words


def load(kind: Kind, account: Account, ids: Sequence[int]) -> Any:
    """The records to send, with what their payload reads."""
    return kind.model._default_manager.filter(account=account, pk__in=ids).select_related(
        *_erp(kind).related
    )


def request_summary(item: Any, payload: Any) -> dict[str, Any]:
    """What the queues show of a request for ``item``, taken when it is sent."""
    project = project_of(item)
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


@dataclass(frozen=True)
class Sent:
    """What a send did: the request it opened, and what it added to the project's budget
    (``None`` when the account does not add cost code and cost type pairs, or the item is not
    of a type that adds them)."""

    request: ExportRequest
    budget_pairs: BudgetPairs | None = None


def export_send(*, item: Model, actor: Any) -> ExportRequest:
    """*Send to ERP* (or *Re-send*): the request :func:`export_send_outcome` opens."""
    return export_send_outcome(item=item, actor=actor).request


@transaction.atomic
def export_send_outcome(*, item: Model, actor: Any) -> Sent:
    """*Send to ERP* (or *Re-send*): check the ERP's rules and open a request for approval, or,
    with direct export on for the item's type, accept it at once; with the account's setting,
    add the pairs the item's lines use to the project's budget."""
    kind = kind_of(item)
    erp, word = _erp(kind), kind.erp_label.lower()
    account = Account.objects.get(pk=item.account_id)  # type: ignore[attr-defined]
    require_sender(actor, account, item)
    item = kind.model._default_manager.select_for_update().get(pk=item.pk)
    item = load(kind, account, [item.pk]).get()
    before = item.erp_state  # type: ignore[attr-defined]  # an exportable ErpLinkedModel
    connector_label, entity = _entity(account, kind)
    if not entity.exports:
        raise SendRefused([Problem("item_type", f"{connector_label} does not take {word}s.")])
    resync = before == ErpState.SYNCED and entity.export_update
    if before not in SENDABLE and not resync:
        label = ErpState(before).label.lower()
        raise InvalidTransition(f"This {word} is {label}; it cannot be sent now.")
    payload = erp.build(item)
    problems = validate(payload, entity.rules)
    if problems:
        raise SendRefused(problems)
    direct = bool(
        erp.direct_export_setting
        and getattr(account, erp.direct_export_setting)
        and entity.direct_export
    )
    now = timezone.now()
    project = project_of(item)
    try:
        with transaction.atomic():
            request = ExportRequest.objects.create(
                account=account,
                item_type=erp.object_type.value,
                item_id=item.pk,
                project_id=project.pk if project is not None else None,
                state=S.ACCEPTED if direct else S.PENDING,
                direct=direct,
                is_resend=before != ErpState.UNSENT,
                summary={
                    **request_summary(item, payload),
                    "update": bool(getattr(item, "origin_id", None)),
                },
                sent_by=actor,
                sent_at=now,
                decided_by=actor if direct else None,
                decided_at=now if direct else None,
            )
    except IntegrityError:
        raise InvalidTransition(f"This {word} is already waiting for the ERP.") from None
    verb = "direct_export" if direct else ("resend" if request.is_resend else "send")
    transitions.opened(request, actor=actor, verb=verb, record_state=before)
    pairs = budget_pairs_add(account=account, item=item, actor=actor, request_id=request.pk)
    if direct:
        transaction.on_commit(lambda: export_tasks.enqueue([request.pk]))
    else:
        notify_now = before == ErpState.REJECTED or account.notify_approvers_on_send
        if notify_now:
            transaction.on_commit(lambda: notifications.notify_sent(request.pk))
    return Sent(request, pairs)


@transaction.atomic
def export_resend(*, account: Account, request_id: int, actor: Any) -> Sent:
    """*Re-send*: after a request was retrieved or rejected (and the record fixed), send the
    record again as a new request."""
    previous = ExportRequest.objects.select_related("decided_by").get(
        account=account, pk=request_id
    )
    kind = by_object_type(previous.item_type)
    item = load(kind, account, [previous.item_id]).first()
    if item is None:
        raise ObjectDoesNotExist(f"The {kind.erp_label.lower()} of this request is gone.")
    require_sender(actor, account, item)
    if previous.state not in RESENDABLE:
        raise InvalidTransition(_not_resendable(previous))
    return export_send_outcome(item=item, actor=actor)


def _not_resendable(request: ExportRequest) -> str:
    if request.state == S.PENDING:
        return (
            f"{request.label} is still waiting for accounting acceptance; retrieve it first "
            "to re-send it."
        )
    decided = _conflict(request).message
    return f"{decided} Only a retrieved or rejected request can be re-sent."


def _conflict(request: ExportRequest) -> DecisionConflict:
    """The request was decided (or taken back) already: say by whom, and when."""
    decider = request.decided_by if request.decided_by_id else None
    return DecisionConflict(
        label=request.label,
        state_label=RequestState(request.state).label,
        by=(decider.get_full_name() or decider.get_username()) if decider else None,
        at=request.decided_at,
    )


def _locked(account: Account, request_ids: Sequence[int]) -> list[ExportRequest]:
    requests = list(
        ExportRequest.objects.select_for_update()
        .filter(account=account, pk__among=request_ids)
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
            raise _conflict(request)


def _move(
    decision: str,
    requests: list[ExportRequest],
    actor: Any,
    *,
    reason: str = "",
    erp_fields: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[ExportRequest]:
    """Move every request (already locked and checked) and its record, audited, in bulk."""
    _, target = DECISIONS[decision]
    fields = dict(erp_fields or (extra or {}).get("erp_fields") or {})
    changes: dict[str, Any] = {
        "decided_by": actor,  # a retrieve too: who took it back
        "decided_at": timezone.now(),
        "reason": reason,
        **(extra or {}),
    }
    if fields:
        changes["erp_fields"] = fields
    return transitions.move(
        requests,
        target,
        verb=decision,
        actor=actor,
        reason=reason,
        changes=changes,
        data=lambda request: fields,
    )


@transaction.atomic
def export_retrieve(*, account: Account, request_id: int, actor: Any) -> ExportRequest:
    """*Retrieve from ERP*: the sender takes an item back before anyone decides on it."""
    (request,) = _locked(account, [request_id])
    item = load(by_object_type(request.item_type), account, [request.item_id]).get()
    require_sender(actor, account, item)
    _check_state("retrieve", [request])
    return _move("retrieve", [request], actor)[0]


def _require_decider(account: Account, actor: Any, requests: list[ExportRequest]) -> None:
    for key in {r.item_type for r in requests}:
        kind = by_object_type(key)
        if not can(actor, _erp(kind).accept_action, account):
            raise PermissionDenied(
                f"You are not an accounting approver for {kind.erp_label.lower()}s."
            )


def _clean_erp_fields(
    account: Account, requests: list[ExportRequest], erp_fields: Mapping[str, str]
) -> dict[str, str]:
    """The values the approver typed, checked against what the connector and the account's
    numbering ask for (:func:`approvals.numbering.accept_fields`). ERP fields belong to one
    item: a bulk accept of a type that requires some is refused."""
    if erp_fields and len(requests) != 1:
        raise ValidationError({"erp_fields": "ERP fields are given when accepting one item."})
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for key in sorted({r.item_type for r in requests}):
        declared = {f.name: f for f in accept_fields(account, key)}
        for name, value in erp_fields.items():
            spec = declared.get(name)
            text = str(value).strip()
            if spec is None:
                errors[name] = "The ERP does not ask for this field."
            elif problem := text_problem(spec.label, text):
                errors[name] = problem
            elif len(text) > spec.max_length:
                errors[name] = f"At most {spec.max_length} characters."
            elif text:
                cleaned[name] = text
        for name, spec in declared.items():
            if spec.required and name not in cleaned and name not in errors:
                errors[name] = (
                    f"{spec.label} is required."
                    if len(requests) == 1
                    else f"The ERP needs {_a(spec.label)} for each item: accept them one by one."
                )
    if not errors and cleaned:
        errors = _typed_problems(account, requests[0], cleaned)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _a(label: str) -> str:
    return f"{'an' if label[:1].lower() in 'aeiou' else 'a'} {label}"


def _typed_problems(
    account: Account, request: ExportRequest, typed: Mapping[str, str]
) -> dict[str, str]:
    """The ERP's rules on the payload's fields the approver typed (a typed contract number
    longer than the ERP takes), by field."""
    kind = by_object_type(request.item_type)
    _, entity = _entity(account, kind)
    rules = tuple(rule for rule in entity.rules if rule.field in typed)
    item = load(kind, account, [request.item_id]).first() if rules else None
    if item is None:
        return {}
    payload = _erp(kind).build(item)
    values: dict[str, Any] = {k: v for k, v in typed.items() if hasattr(payload, k)}
    problems = validate(dataclasses.replace(payload, **values), rules)
    return {p.field: p.message for p in problems}


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
    *,
    account: Account,
    request_ids: Sequence[int],
    actor: Any,
    erp_fields: Mapping[str, str] | None = None,
) -> list[ExportRequest]:
    """*Retry* from *Failed to Export*, once the cause is fixed: back to the export queue.

    ``erp_fields`` (one request) replaces the values typed on accept, checked like an accept's
    (the ERP refused a vendor id already in use: type another, or none to let the ERP number
    it); ``None`` keeps them. The ERP's last refusal is cleared from the request (the audit
    trail and the ERP log keep it), so a retried request reads as waiting, not as failed."""
    requests = _locked(account, request_ids)
    _require_decider(account, actor, requests)
    _check_state("retry", requests)
    changes: dict[str, Any] = {"error": ""}
    if erp_fields is not None:
        changes["erp_fields"] = _clean_erp_fields(account, requests, erp_fields)
    retried = _move("retry", requests, actor, extra=changes)
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
    transaction.on_commit(lambda: tasks.notify_rejected_later(ids))
    return moved
