"""The export pipeline: accepted requests reach the ERP exactly once, whatever fails.

A worker *claims* requests by a conditional update (``accepted`` -> ``exporting`` with a lease),
so two workers never export the same request at once. Every call carries an idempotency key
(``connection:type:item:request``); after an attempt whose outcome is unknown the record is
looked up by that key before it is created again. A record the ERP already holds (it has an
ERP id) of a type the connector updates is sent as an update of that ERP record
(``Connector.update``): alone, never in a batch, never filed anew. The ERP's id and the synced
state (no longer *Changed since sync*) are stored in one transaction. Transient errors go back
to ``accepted`` and are retried; permanent ones land in *Failed to Export*; refused credentials
pause the connection with the items still queued. A sweeper re-enqueues what a crash left
behind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from approvals import transitions
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

S = RequestState
LEASE = timedelta(seconds=getattr(settings, "EXPORT_LEASE_SECONDS", 300))  # 5 min
STALE_ACCEPTED = timedelta(minutes=2)  # accepted this long with no worker on it: enqueue again
AUTH_FAILURES_TO_PAUSE = 3


# --- Claiming --------------------------------------------------------------------------------


def _claimable(now: Any) -> Q:
    return Q(state=S.ACCEPTED) | Q(state=S.EXPORTING, lease_until__lt=now)


@transaction.atomic
def claim(request_id: int, batch_size: int = 1) -> list[ExportRequest]:
    """Take ``request_id`` (and, for batching connectors, more accepted requests of the same
    account and type) for this worker. Empty when another worker has it or it is done."""
    now = timezone.now()
    first = ExportRequest.objects.select_for_update().filter(_claimable(now), pk=request_id).first()
    if first is None:
        return []
    requests = [first]
    if batch_size > 1:
        more = (
            ExportRequest.objects.select_for_update(skip_locked=True)
            .filter(account_id=first.account_id, item_type=first.item_type, state=S.ACCEPTED)
            .exclude(pk=first.pk)
            .order_by("decided_at", "pk")[: batch_size - 1]
        )
        requests.extend(more)
    for request in requests:
        request.attempts += 1
    changes = {"lease_until": now + LEASE, "attempts": F("attempts") + 1}
    return transitions.move(requests, S.EXPORTING, verb="export_started", changes=changes)


@transaction.atomic
def _release(requests: Sequence[ExportRequest], error: str = "") -> None:
    """Back to the queue (``accepted``), for a later attempt."""
    transitions.move(
        requests,
        S.ACCEPTED,
        verb="export_requeued",
        reason=error,
        changes={"lease_until": None, "error": error},
        from_states=[S.EXPORTING],
    )


@transaction.atomic
def _fail(request: ExportRequest, message: str, *, from_state: str = S.EXPORTING) -> None:
    transitions.move(
        [request],
        S.FAILED,
        verb="export_failed",
        reason=message,
        changes={"lease_until": None, "error": message},
        from_states=[from_state],
    )


@transaction.atomic
def _succeed(filed: Sequence[tuple[ExportRequest, ExportResult]]) -> None:
    """Store the ERP's ids and the synced state of a batch, in one transaction and a handful of
    queries whatever its size. A request another worker finished meanwhile (after its lease ran
    out) is left alone: that worker filed the same record under the same key."""
    if not filed:
        return
    ids = [request.pk for request, _ in filed]
    held = set(
        ExportRequest.objects.select_for_update()
        .filter(pk__in=ids, state=S.EXPORTING)
        .values_list("pk", flat=True)
    )
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
        changes={"lease_until": None, "error": ""},
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


def _record(request: ExportRequest) -> tuple[Kind, Model]:
    kind = by_object_type(request.item_type)
    assert kind.erp is not None, "only exportable kinds have export requests"
    item = kind.model._default_manager.select_related(*kind.erp.related).get(
        pk=request.item_id, account_id=request.account_id
    )
    return kind, item


def payload_for(request: ExportRequest) -> Payload:
    kind, item = _record(request)
    return _payload(kind, item, request)


def outgoing(connector: Connector, request: ExportRequest) -> Outgoing:
    """The payload of the request's record, and whether the connector is to update it."""
    kind, item = _record(request)
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


def export(request_id: int) -> str:
    """Export one accepted request (and a batch with it, where the connector batches).

    Returns what happened (for the task's log); raises :class:`RetryLater` when the task
    should try again.
    """
    first = ExportRequest.objects.select_related("account").filter(pk=request_id).first()
    if first is None:
        return "gone"
    connection = connection_for(first.account)
    if connection.is_paused:
        return "paused"
    connector = connector_for(connection)
    requests = claim(request_id, connector.capabilities.entity(first.item_type).batch_size)
    if not requests:
        return "skipped"
    outcomes = _attempt(connector, connection, requests)
    refused = next((o for o in outcomes if isinstance(o, AuthenticationError)), None)
    if refused is not None:  # one refused login, however many items it carried
        _note_auth_failure(connection, refused.message)
    retry_errors: list[str] = []
    retry_ids: list[int] = []
    _succeed(
        [(r, o) for r, o in zip(requests, outcomes, strict=True) if isinstance(o, ExportResult)]
    )
    for request, outcome in zip(requests, outcomes, strict=True):
        if isinstance(outcome, ExportResult):
            continue
        if isinstance(outcome, TransientError):
            _release([request], outcome.message)
            retry_errors.append(outcome.message)
            retry_ids.append(request.pk)
        else:
            _fail(request, outcome.message)
    if len(retry_errors) < len(requests) and connection.auth_failures:
        ErpConnection.objects.filter(pk=connection.pk).update(auth_failures=0)
    if retry_errors:
        raise RetryLater(retry_errors[0], retry_ids)
    return f"exported {len(requests)}"


def _attempt(
    connector: Connector, connection: ErpConnection, requests: list[ExportRequest]
) -> list[ExportResult | ConnectorError]:
    """Export the claimed requests: alone (an update, or what an earlier attempt may have
    filed), or the new records in a batch."""
    outcomes: dict[int, ExportResult | ConnectorError] = {}
    to_file: list[tuple[ExportRequest, Payload]] = []
    for request in requests:
        out = outgoing(connector, request)
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


def stale_requests(now: Any = None) -> list[int]:
    """Requests a crash or a lost message left behind: accepted for a while with nobody on
    them, or exporting past their lease."""
    now = now or timezone.now()
    return list(
        ExportRequest.objects.filter(
            Q(state=S.ACCEPTED, updated_at__lt=now - STALE_ACCEPTED)
            | Q(state=S.EXPORTING, lease_until__lt=now)
        )
        .exclude(account__erp_connection__is_paused=True)
        .values_list("pk", flat=True)
    )


def mark_interrupted_calls(now: Any = None) -> int:
    """ERP calls older than a lease that never recorded an outcome were cut short by a crash."""
    return erp_calls.mark_interrupted_calls(LEASE, now)
