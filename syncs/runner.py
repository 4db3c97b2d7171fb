"""Carrying out a sync run: fetch batches from the connector since the cursor, apply each batch
and advance the cursor in one transaction, and say how it went.

- **One worker per run.** A worker claims the run (queued, or running with a heartbeat older
  than the lease: its worker died) with one conditional update; a duplicate message finds it
  claimed and does nothing.
- **Nothing lost, nothing twice.** Each batch is applied in the transaction that moves the
  cursor past it, under a lock on the kind's cursor row; a batch whose cursor moved meanwhile
  (another worker took over a run it thought dead) is dropped, and upserts by ERP id make a
  replayed batch change nothing. A crash resumes at the last committed cursor.
- **Errors.** A transient ERP error puts the run back in the queue and the task retries with
  backoff; a permanent one (or refused credentials) fails the run with the ERP's message and
  keeps what was committed. Every fetch is in the ERP log, named after the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

from django import db
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from audit.services import Change, audit_rows
from connectors.base import AuthenticationError, Batch, Connector, ConnectorError, TransientError
from erp.calls import WORKER, Subject, logged_call
from erp.connections import connector_for
from integrations.models import ErpState, Project
from syncs.appliers.base import Scope
from syncs.kinds import SyncKind, sync_kind
from syncs.models import RunState, SyncCursor, SyncRun

T = TypeVar("T")

COUNTS = ("fetched", "created", "updated", "unchanged", "invalid")


def lease() -> timedelta:
    """How long a running run's worker may go without a heartbeat before another takes over."""
    return timedelta(seconds=getattr(settings, "SYNC_LEASE_SECONDS", 120))


class RetryLater(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Stop(Exception):
    """The run was cancelled, or another worker moved its cursor: this worker stops."""


def audit_run(run: SyncRun, verb: str, before: str, actor: Any = None, reason: str = "") -> None:
    audit_rows(
        actor,
        [
            Change(
                run.account_id,
                "sync_run",
                run.pk,
                verb,
                before=before,
                after=run.state,
                reason=reason,
                data={"kind": run.kind, "trigger": run.trigger},
            )
        ],
    )


def claim(run_id: int) -> SyncRun | None:
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            SyncRun.objects.filter(pk=run_id)
            .filter(
                Q(state=RunState.QUEUED) | Q(state=RunState.RUNNING, heartbeat_at__lt=now - lease())
            )
            .update(
                state=RunState.RUNNING,
                heartbeat_at=now,
                worker=WORKER,
                attempts=F("attempts") + 1,
                started_at=Coalesce("started_at", now),
            )
        )
        if not claimed:
            return None
        run = SyncRun.objects.select_related("connection", "account", "project").get(pk=run_id)
        audit_run(run, "sync_started", RunState.QUEUED)
    return run


def finish(run: SyncRun, state: RunState, error: str = "") -> None:
    with transaction.atomic():
        locked = SyncRun.objects.select_for_update().get(pk=run.pk)
        if not locked.is_active:
            return  # cancelled meanwhile
        before = locked.state
        locked.state, locked.error, locked.finished_at = state, error, timezone.now()
        locked.save(update_fields=["state", "error", "finished_at"])
        audit_run(locked, "sync_finished", before, reason=error)


def release(run: SyncRun, message: str, countdown: float) -> None:
    """Back to the queue until the retry (the sweeper leaves it alone until then)."""
    SyncRun.objects.filter(pk=run.pk, state=RunState.RUNNING).update(
        state=RunState.QUEUED,
        error=f"Retrying: {message}",
        heartbeat_at=timezone.now() + timedelta(seconds=countdown),
    )


def projects_of(run: SyncRun, kind: SyncKind) -> list[Project | None]:
    """The projects whose jobs a per-project kind fetches: the run's, or every synced
    project that opted in."""
    if not kind.per_project:
        return [None]
    if run.project is not None:
        return [run.project]
    return list(
        Project.objects.filter(
            account_id=run.account_id,
            sync_job_costs=True,
            erp_state=ErpState.SYNCED,
            origin_id__isnull=False,
        ).order_by("pk")
    )


def execute(run_id: int) -> str:
    """Run ``run_id`` if no live worker has it; answers what became of it."""
    run = claim(run_id)
    if run is None:
        return "skipped"
    kind = sync_kind(run.kind)
    try:
        if run.connection.is_paused:
            raise PermissionError(f"The ERP connection is paused: {run.connection.paused_reason}")
        connector = connector_for(run.connection)
        for fetch in kind.fetches_of(type(connector)):
            for project in projects_of(run, kind):
                Fetch(run, kind, connector, fetch, project).pull()
    except Stop:
        return "stopped"
    except AuthenticationError as exc:
        finish(run, RunState.FAILED, f"The ERP refused the credentials: {exc.message}")
        return RunState.FAILED
    except TransientError as exc:
        raise RetryLater(exc.message) from exc
    except ConnectorError as exc:
        finish(run, RunState.FAILED, exc.message)
        return RunState.FAILED
    except PermissionError as exc:
        finish(run, RunState.FAILED, str(exc))
        return RunState.FAILED
    finish(run, RunState.SUCCEEDED)
    return RunState.SUCCEEDED


class Fetch:
    """One connector kind (for one job) of a run, batch by batch from its cursor."""

    def __init__(
        self,
        run: SyncRun,
        kind: SyncKind,
        connector: Connector,
        fetch: str,
        project: Project | None,
    ) -> None:
        self.run, self.kind, self.connector, self.fetch = run, kind, connector, fetch
        self.project = project
        self.job = project.origin_id if project is not None else None
        self.key = f"{fetch}@{self.job}" if self.job else fetch
        self.scope = Scope(run.account, run.connection, fetch, project)

    def pull(self) -> None:
        cursor = SyncCursor.objects.get(connection=self.run.connection, kind=self.kind.key)
        start = str(cursor.position.get(self.key, ""))
        first = True
        for batch, prepared in ahead(self.prepared(self.batches(start))):
            self.commit(batch, prepared, start, first)
            start, first = batch.cursor, False

    def batches(self, start: str) -> Iterator[Batch]:
        """The connector's batches from ``start``, each call in the ERP log."""
        batches: Iterator[Batch] | None = None
        while True:
            with logged_call(self.run.connection, "fetch", self.subject(start)) as call:
                if batches is None:
                    batches = iter(self.connector.fetch(self.fetch, start, job=self.job))
                batch = next(batches, None)
                call.response = {
                    "records": len(batch.records) if batch else 0,
                    "cursor": batch.cursor if batch else start,
                }
            if batch is None:
                return
            yield batch
            start = batch.cursor

    def prepared(self, batches: Iterator[Batch]) -> Iterator[tuple[Batch, Any]]:
        """Each batch with what its applier's read-only step made of it."""
        for batch in batches:
            yield batch, self.kind.applier.prepare(self.scope, batch.records)

    def subject(self, start: str) -> Subject:
        label = f"{self.kind.label} sync #{self.run.pk}"
        if self.project is not None:
            label += f" ({self.project.number})"
        summary = {"label": label, "fetch": self.fetch, "cursor": start, "job": self.job}
        return Subject(item_type="sync_run", item_id=self.run.pk, summary=summary)

    def commit(self, batch: Batch, prepared: Any, start: str, first: bool) -> None:
        with transaction.atomic():
            cursor = SyncCursor.objects.select_for_update().get(
                connection=self.run.connection, kind=self.kind.key
            )
            run = SyncRun.objects.select_for_update().get(pk=self.run.pk)
            if run.state != RunState.RUNNING or run.worker != WORKER:
                raise Stop  # cancelled, or taken over by another worker
            if str(cursor.position.get(self.key, "")) != start:
                raise Stop
            tally = self.kind.applier.write(self.scope, prepared)
            cursor.position[self.key] = batch.cursor
            cursor.save(update_fields=["position", "updated_at"])
            run.fetched += len(batch.records)
            run.created += tally.created
            run.updated += tally.updated
            run.unchanged += tally.unchanged
            run.invalid += tally.invalid
            run.errors = [*run.errors, *tally.errors][: SyncRun.MAX_ERRORS]
            if first and batch.total is not None:
                run.total = (run.total or 0) + batch.total
            run.heartbeat_at = timezone.now()
            run.save(update_fields=[*COUNTS, "errors", "total", "heartbeat_at"])


def ahead(batches: Iterator[T]) -> Iterator[T]:
    """``batches``, each one fetched and prepared while the one before is being written: the
    ERP's answer, the checking of its records and the database's writing overlap. The fetching
    runs in a thread of its own (with its own database connection, closed at the end). Only on
    PostgreSQL outside a transaction: inside one (tests, the demo's seed) another connection
    would not see its rows, and SQLite takes one writer at a time."""
    if db.connection.vendor != "postgresql" or db.connection.in_atomic_block:
        yield from batches
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as pool:
        try:
            future = pool.submit(next, batches, None)
            while (batch := future.result()) is not None:
                future = pool.submit(next, batches, None)
                yield batch
        finally:
            pool.submit(db.connections.close_all).result()


def stale_runs() -> list[int]:
    """Runs whose worker died, or whose message was lost (no heartbeat for a lease)."""
    cutoff = timezone.now() - lease()
    return list(
        SyncRun.objects.filter(
            state__in=[RunState.QUEUED, RunState.RUNNING], heartbeat_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
