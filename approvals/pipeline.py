"""The export pipeline: accepted requests reach the ERP exactly once, whatever fails.

A worker *claims* requests by a conditional update (``accepted`` -> ``exporting`` with a lease),
so two workers never export the same request at once. Every call carries an idempotency key
(``connection:type:item:request``); after an attempt whose outcome is unknown the record is
looked up by that key before it is created again. A record the ERP already holds (it has an
ERP id) of a type the connector updates is sent as an update of that ERP record
(``Connector.update``): alone, never in a batch, never filed anew. The ERP's id and the synced
state (no longer *Changed since sync*) are stored in one transaction. Transient errors go back
to ``accepted`` and are retried; permanent ones land in *Failed to Export*; refused credentials
pause the connection with the items still queued.

Recovery takes seconds, not minutes. A claim carries a token (``claim``) and a short lease that
the claiming worker renews while it works (:class:`LeaseKeeper`); only the holder of the claim
renews it or records an outcome, so a killed worker's batch is claimable again within one lease.
A request released for a retry carries the time its retry is due (``next_attempt_at``): the
sweeper enqueues again what a lease ran out on, and accepted requests nobody took up within a
grace period of being due (a lost message, a retry held by a dead worker), never before.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Model, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from approvals import transitions
from approvals.leases import LeaseKeeper, lease, stale_after
from approvals.models import ExportRequest, RequestState
from connectors.base import (
    AuthenticationError,
    Connector,
    ConnectorError,
    ExportResult,
    TransientError,
)
from connectors.payloads import Payload
from erp import calls as erp_calls
from erp.calls import Subject, finish_calls, logged_call, resolve_errors, start_calls
from erp.connections import connection_for, connector_for
from erp.models import ErpConnection
from erp.services import connection_pause_after_refusals
from integrations.kinds import Kind, by_object_type
from integrations.payloads import lines_prefetch
from tenancy.bulk import update_each

S = RequestState
AUTH_FAILURES_TO_PAUSE = 3
# An ERP call this old with no outcome was cut short by a crash (a live call may outlast a lease:
# its worker renews the lease meanwhile).
INTERRUPTED_AFTER = timedelta(minutes=5)
# The longest the sweeper waits before enqueuing an accepted request again (see requeued).
REQUEUE_SPACING = timedelta(minutes=2)


# --- Claiming --------------------------------------------------------------------------------


def _claimable(now: Any) -> Q:
    return Q(state=S.ACCEPTED) | Q(state=S.EXPORTING, lease_until__lt=now)


@transaction.atomic
def claim(request_ids: int | Sequence[int], batch_size: int = 1) -> list[ExportRequest]:
    """Take up to ``batch_size`` of ``request_ids`` still waiting (one account and type: the
    first one's) for this worker, topped up, for batching connectors, with other accepted
    requests of that account and type. Empty when other workers have them or they are done."""
    ids = [request_ids] if isinstance(request_ids, int) else list(request_ids)
    now = timezone.now()
    waiting = ExportRequest.objects.filter(_claimable(now), pk__in=ids)
    first = waiting.order_by("pk").values("account_id", "item_type").first()
    if first is None:
        return []
    requests = list(  # locked in key order, so two workers never deadlock
        waiting.select_for_update().filter(**first).order_by("pk")[:batch_size]
    )
    if not requests:
        return []  # they moved on while this worker waited for their locks
    if len(requests) < batch_size:
        more = (
            ExportRequest.objects.select_for_update(skip_locked=True)
            .filter(**first, state=S.ACCEPTED)
            .exclude(pk__in=[r.pk for r in requests])
            .order_by("decided_at", "pk")[: batch_size - len(requests)]
        )
        requests.extend(more)
    for request in requests:
        request.attempts += 1
    changes = {
        "lease_until": now + lease(),
        "claim": uuid.uuid4(),  # this worker's: only it renews the lease or records an outcome
        "next_attempt_at": None,
        "attempts": F("attempts") + 1,
    }
    return transitions.move(requests, S.EXPORTING, verb="export_started", changes=changes)


def _held(requests: Sequence[ExportRequest]) -> list[ExportRequest]:
    """Those of ``requests`` this worker still holds (exporting under its claim), locked. One
    whose lease ran out and that another worker claimed is that worker's to finish."""
    if not requests:
        return []
    found = (
        ExportRequest.objects.select_for_update()
        .filter(pk__in=[r.pk for r in requests], state=S.EXPORTING)
        .values_list("pk", "claim")
    )
    claims = dict(found)
    return [r for r in requests if r.pk in claims and claims[r.pk] == r.claim]


@transaction.atomic
def _release(requests: Sequence[ExportRequest], error: str = "") -> list[ExportRequest]:
    """Back to the queue (``accepted``), for a later attempt, due now (the task's retry sets
    when: :func:`retry_due`). Returns those that went back (the ones this worker held)."""
    return transitions.move(
        _held(requests),
        S.ACCEPTED,
        verb="export_requeued",
        reason=error,
        changes={
            "lease_until": None,
            "claim": None,
            "error": error,
            "next_attempt_at": timezone.now(),
        },
        from_states=[S.EXPORTING],
    )


@transaction.atomic
def _fail(request: ExportRequest, message: str, *, from_state: str = S.EXPORTING) -> None:
    if from_state == S.EXPORTING and not _held([request]):
        return  # another worker claimed it after this one's lease ran out: its outcome counts
    transitions.move(
        [request],
        S.FAILED,
        verb="export_failed",
        reason=message,
        changes={"lease_until": None, "claim": None, "error": message, "next_attempt_at": None},
        from_states=[from_state],
    )


@transaction.atomic
def _succeed(filed: Sequence[tuple[ExportRequest, ExportResult]]) -> None:
    """Store the ERP's ids and the synced state of a batch, in one transaction and a handful of
    queries whatever its size. A request this worker no longer holds (its lease ran out and
    another worker claimed it) is left to that worker, which looks the record up by its key
    before filing it."""
    if not filed:
        return
    held = {r.pk for r in _held([request for request, _ in filed])}
    filed = [(request, result) for request, result in filed if request.pk in held]
    if not filed:
        return
    now = timezone.now()
    results = {request.pk: result for request, result in filed}
    values = {
        pk: {
            "origin_id": result.origin_id,
            "origin_code": result.origin_code or result.origin_id,
            "erp_synced_at": now,
            "erp_changed": False,  # the ERP now holds the record as it is
        }
        for pk, result in results.items()
    }
    synced = transitions.move(
        [request for request, _ in filed],
        S.SYNCED,
        verb="export_synced",
        changes={"lease_until": None, "claim": None, "error": "", "next_attempt_at": None},
        record_values=values,
        data=lambda request: {"origin_id": results[request.pk].origin_id},
    )
    by_type: dict[str, list[int]] = {}
    for request in synced:
        by_type.setdefault(request.item_type, []).append(request.item_id)
    resolve_errors(filed[0][0].account_id, by_type)


# --- Exporting -------------------------------------------------------------------------------


def _subject(request: ExportRequest, key: str, **summary: Any) -> Subject:
    return Subject(
        item_type=request.item_type,
        item_id=request.item_id,
        key=key,
        summary={"label": request.label, "request": request.pk, **summary},
        attempt=request.attempts,
    )


def idempotency_key(connection: ErpConnection, request: ExportRequest) -> str:
    return f"{connection.pk}:{request.item_type}:{request.item_id}:{request.pk}"


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """What the connector is given for one request: the record's payload and, for a record the
    ERP already holds (it has an ERP id) of a type the connector updates, that ERP id (the
    record is then updated in place, never filed again); ``None``: a new record."""

    payload: Payload
    update_of: str | None = None


def _payload(kind: Kind, item: Model, request: ExportRequest) -> Payload:
    assert kind.erp is not None, "only exportable kinds have export requests"
    payload = kind.erp.build(item)
    fields = {k: v for k, v in request.erp_fields.items() if hasattr(payload, k)}
    return dataclasses.replace(payload, **fields) if fields else payload


def _records(requests: Sequence[ExportRequest]) -> dict[int, tuple[Kind, Model]]:
    """The requests' records, by request, joined with what their payloads read (one query per
    kind)."""
    found: dict[int, tuple[Kind, Model]] = {}
    for item_type in {r.item_type for r in requests}:
        kind = by_object_type(item_type)
        assert kind.erp is not None, "only exportable kinds have export requests"
        mine = [r for r in requests if r.item_type == item_type]
        items = (
            kind.model._default_manager.select_related(*kind.erp.related)
            .prefetch_related(*lines_prefetch(kind.model))
            .in_bulk([r.item_id for r in mine])
        )
        for request in mine:
            item = items.get(request.item_id)
            if item is None or getattr(item, "account_id", None) != request.account_id:
                raise ObjectDoesNotExist(f"No {item_type} {request.item_id} in the account.")
            found[request.pk] = (kind, item)
    return found


def payload_for(request: ExportRequest) -> Payload:
    kind, item = _records([request])[request.pk]
    return _payload(kind, item, request)


def _outgoing(connector: Connector, request: ExportRequest, kind: Kind, item: Model) -> Outgoing:
    """The payload of the request's record, and whether the connector is to update it."""
    origin_id = getattr(item, "origin_id", None)
    updates = connector.capabilities.entity(request.item_type).export_update
    return Outgoing(_payload(kind, item, request), origin_id if origin_id and updates else None)


def _export_one(
    connector: Connector, connection: ErpConnection, request: ExportRequest, out: Outgoing
) -> ExportResult:
    """Look the record up first when an earlier attempt may have filed it; else create it, or
    update the ERP's record of it. An update never files a record, so retrying one after a
    crash cannot make a second."""
    key = idempotency_key(connection, request)
    if request.attempts > 1:
        with logged_call(connection, "lookup", _subject(request, key)):
            found = connector.find_by_external_ref(request.item_type, key)
        if found is not None:
            return found
    amount = request.summary.get("amount")
    if out.update_of is None:
        action = "export"
        send = partial(connector.export, request.item_type, out.payload, key)
    else:
        action = "update"
        send = partial(connector.update, request.item_type, out.update_of, out.payload, key)
    with logged_call(connection, action, _subject(request, key, amount=amount)) as call:
        result = send()
        call.response = {"origin_id": result.origin_id, "origin_code": result.origin_code}
    return result


def _export_batch(
    connector: Connector,
    connection: ErpConnection,
    requests: Sequence[ExportRequest],
    payloads: Sequence[Payload],
) -> list[ExportResult | ConnectorError]:
    """One call for the whole batch, logged as one row per item (readable per item)."""
    subjects = [_subject(r, idempotency_key(connection, r), batch=len(requests)) for r in requests]
    logged, started = start_calls(connection, "export", subjects)
    try:
        items = [(payload, s.key) for payload, s in zip(payloads, subjects, strict=True)]
        results = connector.export_batch(requests[0].item_type, items)
    except ConnectorError as exc:
        results = [exc] * len(requests)
    finish_calls(logged, results, started)
    return results


class RetryLater(Exception):
    """Some requests (``request_ids``) went back to the queue after a transient error; the task
    retries."""

    def __init__(self, message: str, request_ids: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.request_ids = list(request_ids)


def _note_auth_failure(connection: ErpConnection, message: str) -> None:
    ErpConnection.objects.filter(pk=connection.pk).update(auth_failures=F("auth_failures") + 1)
    connection.refresh_from_db(fields=["auth_failures"])
    if connection.auth_failures >= AUTH_FAILURES_TO_PAUSE:
        connection_pause_after_refusals(
            connection, f"Paused after {connection.auth_failures} refused logins: {message}"
        )


def export(request_id: int, others: Sequence[int] = ()) -> str:
    """Export the accepted requests of one message (``request_id`` and ``others``: one account
    and type), claimed in the connector's batches, until none of them is left waiting.

    Where another worker took some meanwhile, the rest are still exported here, so none is left
    to the sweeper. Returns what happened (for the task's log); raises :class:`RetryLater`
    naming the requests to try again (those released after a transient error, and those not
    tried yet when the ERP failed a whole batch).
    """
    waiting = [request_id, *(pk for pk in others if pk != request_id)]
    first = (
        ExportRequest.objects.select_related("account").filter(pk__in=waiting).order_by("pk")
    ).first()
    if first is None:
        return "gone"
    connection = connection_for(first.account)
    if connection.is_paused:
        return "paused"
    connector = connector_for(connection)
    batch_size = connector.capabilities.entity(first.item_type).batch_size
    exported, message = 0, ""
    released: list[int] = []
    while waiting:
        requests = claim(waiting, batch_size)
        if not requests:
            break
        taken = {r.pk for r in requests}
        waiting = [pk for pk in waiting if pk not in taken]
        try:
            with LeaseKeeper(requests):  # until every outcome is stored
                exported += _export_claimed(connector, connection, requests)
        except RetryLater as exc:
            released, message = [*released, *exc.request_ids], message or exc.message
            if len(exc.request_ids) == len(requests):  # the ERP failed them all: wait, then on
                released.extend(waiting)
                break
    if released:
        raise RetryLater(message, released)
    return f"exported {exported}" if exported else "skipped"


def _export_claimed(
    connector: Connector, connection: ErpConnection, requests: list[ExportRequest]
) -> int:
    """Export a claimed batch and store the outcomes; returns how many were filed."""
    outcomes = _attempt(connector, connection, requests)
    refused = next((o for o in outcomes if isinstance(o, AuthenticationError)), None)
    if refused is not None:  # one refused login, however many items it carried
        _note_auth_failure(connection, refused.message)
    transient = 0
    retry_errors: list[str] = []
    retry_ids: list[int] = []
    _succeed(
        [(r, o) for r, o in zip(requests, outcomes, strict=True) if isinstance(o, ExportResult)]
    )
    for request, outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, ExportResult):
            continue
        if isinstance(outcome, TransientError):
            transient += 1
            if _release([request], outcome.message):
                retry_errors.append(outcome.message)
                retry_ids.append(request.pk)
        else:
            _fail(request, outcome.message)
    if transient < len(requests) and connection.auth_failures:
        ErpConnection.objects.filter(pk=connection.pk).update(auth_failures=0)
    if retry_errors:
        raise RetryLater(retry_errors[0], retry_ids)
    return len(requests)


def _attempt(
    connector: Connector, connection: ErpConnection, requests: list[ExportRequest]
) -> list[ExportResult | ConnectorError]:
    """Export the claimed requests: alone (an update, or what an earlier attempt may have
    filed), or the new records in a batch."""
    outcomes: dict[int, ExportResult | ConnectorError] = {}
    to_file: list[tuple[ExportRequest, Payload]] = []
    records = _records(requests)
    for request in requests:
        out = _outgoing(connector, request, *records[request.pk])
        if len(requests) == 1 or request.attempts > 1 or out.update_of is not None:
            try:
                outcomes[request.pk] = _export_one(connector, connection, request, out)
            except ConnectorError as exc:
                outcomes[request.pk] = exc
        else:
            to_file.append((request, out.payload))
    if to_file:
        batch = [request for request, _ in to_file]
        results = _export_batch(connector, connection, batch, [p for _, p in to_file])
        for request, result in zip(batch, results, strict=True):
            outcomes[request.pk] = result
    return [outcomes[r.pk] for r in requests]


def give_up(request_id: int, message: str) -> None:
    """After the last retry: the request goes to *Failed to Export* with the ERP's message."""
    request = ExportRequest.objects.filter(pk=request_id, state=S.ACCEPTED).first()
    if request is not None:
        message = f"Gave up after {request.attempts} attempts: {message}"
        _fail(request, message, from_state=S.ACCEPTED)


def retry_due(request_ids: Sequence[int], countdown: float) -> None:
    """The task retries these in ``countdown`` seconds: the sweeper leaves them alone until
    then (and its grace period after)."""
    due = timezone.now() + timedelta(seconds=countdown)
    ExportRequest.objects.filter(pk__in=list(request_ids), state=S.ACCEPTED).update(
        next_attempt_at=due
    )


def stale_requests(now: Any = None) -> list[int]:
    """Requests a crash or a lost message left behind: exporting past their lease (the worker
    died), or accepted and due (since they were accepted, released, or last enqueued; a retry:
    when its backoff ends) longer than :func:`stale_after` ago with nobody on them. A retry
    whose backoff has not ended is left to its task."""
    now = now or timezone.now()
    return list(
        ExportRequest.objects.alias(due=Coalesce("next_attempt_at", "updated_at"))
        .filter(
            Q(state=S.ACCEPTED, due__lt=now - stale_after())
            | Q(state=S.EXPORTING, lease_until__lt=now)
        )
        .exclude(account__erp_connection__is_paused=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def requeued(request_ids: Sequence[int], now: Any = None) -> None:
    """The sweeper enqueued these again. An accepted one may only be waiting in a long queue:
    the next sweeps leave it to that message as long again as it has waited since it was
    accepted or released (at most :data:`REQUEUE_SPACING`), so a backlog gets a few more
    messages per request, not one per sweep."""
    now = now or timezone.now()
    waiting = ExportRequest.objects.filter(pk__in=list(request_ids), state=S.ACCEPTED)
    due = {
        pk: {"next_attempt_at": now + min(max(now - updated_at, timedelta(0)), REQUEUE_SPACING)}
        for pk, updated_at in waiting.values_list("pk", "updated_at")
    }
    update_each(ExportRequest, due)


def mark_interrupted_calls(now: Any = None) -> int:
    """ERP calls that never recorded an outcome, long after they started, were cut short."""
    return erp_calls.mark_interrupted_calls(INTERRUPTED_AFTER, now)
