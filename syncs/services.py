"""Business actions on syncs: start one (or get the one already going), cancel one. The web
pages, the API, beat and the import actions all come through here."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from erp.connections import connection_for, connector_class_for
from integrations.models import ErpState, Project
from permissions.access import can, describe
from syncs import tasks
from syncs.kinds import SyncKind, sync_kind
from syncs.models import ACTIVE_STATES, RunState, SyncCursor, SyncRun, Trigger
from syncs.runner import audit_run
from tenancy.models import Account


def _kind(account: Account, key: str) -> SyncKind:
    try:
        kind = sync_kind(key)
    except KeyError:
        raise ValidationError({"kind": f"{key!r} is not a kind of sync."}) from None
    connector = connector_class_for(account)
    if not kind.fetches_of(connector):
        raise ValidationError({"kind": f"{connector.label} does not send {kind.label.lower()}."})
    return kind


def _project(account: Account, kind: SyncKind, project: Project | None) -> Project | None:
    if project is None or not kind.per_project:
        return None
    if project.erp_state != ErpState.SYNCED or not project.origin_id:
        raise ValidationError({"project": f"{project} is not synced with the ERP yet."})
    if not project.sync_job_costs:
        raise ValidationError(
            {"project": f"{project} does not sync job costs (turn it on in the project)."}
        )
    return project


def sync_request(
    *,
    account: Account,
    kind: str,
    trigger: str = Trigger.MANUAL,
    actor: Any = None,
    project: Project | None = None,
) -> tuple[SyncRun, bool]:
    """Queue a run of ``kind``, or answer the run of it already queued or running (and
    False). One run per (connection, kind) at a time: the kind's cursor row is locked while
    the active run is looked for and the new one created, so two workers, two beats or two
    clicks get the same run."""
    sync = _kind(account, kind)
    if trigger == Trigger.MANUAL and not can(actor, sync.action, account, obj=project):
        raise PermissionDenied(f"You do not have permission to {describe(sync.action)}.")
    chosen = _project(account, sync, project)
    connection = connection_for(account)
    cursor, _ = SyncCursor.objects.get_or_create(connection=connection, kind=sync.key)
    with transaction.atomic():
        SyncCursor.objects.select_for_update().filter(pk=cursor.pk).first()
        active = SyncRun.objects.filter(
            connection=connection, kind=sync.key, state__in=ACTIVE_STATES
        ).first()
        if active is not None:
            return active, False
        run = SyncRun.objects.create(
            account=account,
            connection=connection,
            kind=sync.key,
            project=chosen,
            trigger=trigger,
            requested_by=actor if getattr(actor, "pk", None) else None,
            heartbeat_at=timezone.now(),
        )
        audit_run(run, "sync_requested", "", actor)
        transaction.on_commit(lambda: tasks.run_sync.delay(run.pk))
    return run, True


def sync_cancel(*, account: Account, run: SyncRun, actor: Any) -> SyncRun:
    """Stop a queued or running run after its current batch (what was committed stays)."""
    sync = sync_kind(run.kind)
    if not can(actor, sync.action, account):
        raise PermissionDenied(f"You do not have permission to {describe(sync.action)}.")
    with transaction.atomic():
        locked = SyncRun.objects.select_for_update().get(pk=run.pk, account=account)
        if not locked.is_active:
            raise ValidationError(f"This sync has already ended ({locked.get_state_display()}).")
        before = locked.state
        locked.state, locked.finished_at = RunState.CANCELLED, timezone.now()
        locked.error = f"Cancelled by {actor}."
        locked.save(update_fields=["state", "finished_at", "error"])
        audit_run(locked, "sync_cancelled", before, actor)
    return locked
