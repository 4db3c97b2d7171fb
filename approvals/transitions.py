"""The one place where an export request and its record change state, together and audited.

A request's state and its record's ``erp_state`` always move in the same transaction, and each
move writes one audit row per request, the same way, whoever makes it (a person's decision, a
worker's claim, the ERP's answer). Callers hold the locks they need (``select_for_update``)
and run inside a transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from django.db.models import Model
from django.db.models.expressions import Combinable
from django.utils import timezone

from approvals.models import ExportRequest
from audit.services import Change, audit_rows
from integrations.kinds import by_object_type
from tenancy.bulk import update_each


def _by_type(requests: Sequence[ExportRequest]) -> dict[str, list[ExportRequest]]:
    grouped: dict[str, list[ExportRequest]] = defaultdict(list)
    for request in requests:
        grouped[request.item_type].append(request)
    return grouped


def set_records(
    requests: Sequence[ExportRequest],
    state: str,
    values: Mapping[int, Mapping[str, Any]] | None = None,
) -> None:
    """Put the requests' records in ``state`` (one query per kind); ``values`` adds fields per
    request (the ERP's ids, on success), joined from a list of values (never a CASE per row)."""
    for key, group in _by_type(requests).items():
        model: type[Model] = by_object_type(key).model
        if values is None:
            ids = [r.item_id for r in group]
            model._default_manager.filter(pk__among=ids).update(erp_state=state)
            continue
        update_each(model, {r.item_id: values[r.pk] for r in group}, erp_state=state)


def audit(
    requests: Sequence[ExportRequest],
    verb: str,
    before: Mapping[int, str],
    *,
    actor: Any = None,
    reason: str = "",
    data: Callable[[ExportRequest], Mapping[str, Any]] | None = None,
) -> None:
    audit_rows(
        actor,
        (
            Change(
                account_id=r.account_id,
                item_type=r.item_type,
                item_id=r.item_id,
                verb=verb,
                before=before.get(r.pk, ""),
                after=r.state,
                request_id=r.pk,
                reason=reason,
                data=data(r) if data else {},
            )
            for r in requests
        ),
    )


def opened(request: ExportRequest, *, actor: Any, verb: str, record_state: str) -> None:
    """A new request for a record (send, re-send, direct export): the record follows it."""
    set_records([request], request.state)
    audit([request], verb, {request.pk: record_state}, actor=actor)


def move(
    requests: Sequence[ExportRequest],
    target: str,
    *,
    verb: str | None,
    actor: Any = None,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
    from_states: Collection[str] | None = None,
    record_values: Mapping[int, Mapping[str, Any]] | None = None,
    data: Callable[[ExportRequest], Mapping[str, Any]] | None = None,
) -> list[ExportRequest]:
    """Move ``requests`` to ``target`` with their records, and audit each one that changed
    state under ``verb`` (None: no audit row). ``changes`` are set on every request (one
    UPDATE, whatever the number); with ``from_states`` only the requests still in one of them
    move (locked first), and the ones that moved are returned."""
    now = timezone.now()
    changes = dict(changes or {})
    queryset = ExportRequest.objects.filter(pk__among=[r.pk for r in requests])
    if from_states is not None:  # lock the ones still there, so the UPDATE moves exactly them
        queryset = queryset.filter(state__in=list(from_states))
        still = set(queryset.select_for_update().values_list("pk", flat=True))
        requests = [r for r in requests if r.pk in still]
        if not requests:
            return []
    ExportRequest.objects.filter(pk__among=[r.pk for r in requests]).update(
        state=target, updated_at=now, **changes
    )
    before = {r.pk: r.state for r in requests}
    for request in requests:
        request.state, request.updated_at = target, now
        for name, value in changes.items():
            if not isinstance(value, Combinable):  # an F() expression: the caller knows
                setattr(request, name, value)
    set_records(requests, target, record_values)
    if verb is not None:
        changed = [r for r in requests if before[r.pk] != target]
        audit(changed, verb, before, actor=actor, reason=reason, data=data)
    return list(requests)
