"""The ERP log: every call made to a connector, written before the call and completed after it,
so a call cut short by a crash stays visible (and is later marked interrupted)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from connectors.base import AuthenticationError, ConnectorError, ExportResult, TransientError
from erp.models import ErpCall, ErpConnection
from tenancy.bulk import update_each

WORKER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Subject:
    """What a call is about: a record (its type and id), how the log names it, which attempt."""

    item_type: str = ""
    item_id: int | None = None
    key: str = ""  # the idempotency key the call carries
    summary: Mapping[str, Any] = field(default_factory=dict)
    attempt: int = 1


def outcome_of(exc: ConnectorError) -> str:
    if isinstance(exc, AuthenticationError):
        return ErpCall.Outcome.AUTH
    if isinstance(exc, TransientError):
        return ErpCall.Outcome.TRANSIENT
    return ErpCall.Outcome.PERMANENT


def _row(connection: ErpConnection, action: str, subject: Subject) -> ErpCall:
    return ErpCall(
        account_id=connection.account_id,
        connection=connection,
        action=action,
        item_type=subject.item_type,
        item_id=subject.item_id,
        idempotency_key=subject.key,
        payload_summary=dict(subject.summary),
        attempt=subject.attempt,
        worker=WORKER,
        started_at=timezone.now(),
    )


@contextmanager
def logged_call(
    connection: ErpConnection, action: str, subject: Subject = Subject()
) -> Iterator[ErpCall]:
    """Record one connector call; the body may put the ERP's answer in ``call.response``."""
    call = _row(connection, action, subject)
    call.save()
    started = time.perf_counter()
    try:
        yield call
        call.outcome = ErpCall.Outcome.SUCCESS
    except ConnectorError as exc:
        call.outcome, call.error = outcome_of(exc), exc.message
        raise
    finally:
        call.duration_ms = round((time.perf_counter() - started) * 1000)
        call.save(update_fields=["outcome", "error", "response", "duration_ms"])


def start_calls(
    connection: ErpConnection, action: str, subjects: Sequence[Subject]
) -> tuple[list[ErpCall], float]:
    """Log one call that carries several records as one row per record (readable per record)."""
    calls = [_row(connection, action, subject) for subject in subjects]
    ErpCall.objects.bulk_create(calls)
    return calls, time.perf_counter()


def finish_calls(
    calls: Sequence[ErpCall], results: Sequence[ExportResult | ConnectorError], started: float
) -> None:
    elapsed = round((time.perf_counter() - started) * 1000)
    for call, result in zip(calls, results, strict=True):
        call.duration_ms = elapsed
        if isinstance(result, ConnectorError):
            call.outcome, call.error = outcome_of(result), result.message
        else:
            call.outcome = ErpCall.Outcome.SUCCESS
            call.response = {"origin_id": result.origin_id, "origin_code": result.origin_code}
    outcomes = {
        call.pk: {"outcome": call.outcome, "error": call.error, "response": call.response}
        for call in calls
    }
    update_each(ErpCall, outcomes, duration_ms=elapsed)


def resolve_errors(account_id: int, records: Mapping[str, Sequence[int]]) -> None:
    """Mark the open errors of these records (``{item_type: [ids]}``) resolved: a later call
    succeeded."""
    superseded = Q()
    for item_type, ids in records.items():
        superseded |= Q(item_type=item_type, item_id__in=list(ids))
    if not superseded:
        return
    ErpCall.objects.filter(superseded, account_id=account_id, resolved=False).exclude(
        outcome=ErpCall.Outcome.SUCCESS
    ).update(resolved=True)


def mark_interrupted_calls(older_than: timedelta, now: Any = None) -> int:
    """Calls that started long ago and never recorded an outcome were cut short by a crash."""
    now = now or timezone.now()
    return ErpCall.objects.filter(outcome="", started_at__lt=now - older_than).update(
        outcome=ErpCall.Outcome.INTERRUPTED, error="The worker stopped during this call."
    )
