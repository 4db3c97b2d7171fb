"""Thin Celery tasks around the sync runner. They take ids and are safe to run twice."""

from __future__ import annotations

from celery import Task, shared_task
from django.conf import settings

from approvals.export_tasks import backoff
from syncs import runner

MAX_RETRIES = getattr(settings, "SYNC_MAX_RETRIES", 8)


@shared_task(bind=True, name="syncs.run_sync", max_retries=MAX_RETRIES)
def run_sync(self: Task, run_id: int) -> str:
    try:
        return runner.execute(run_id)
    except runner.RetryLater as exc:
        run = runner.SyncRun.objects.get(pk=run_id)
        if self.request.retries >= MAX_RETRIES:
            runner.finish(run, runner.RunState.FAILED, f"Gave up after retries: {exc.message}")
            return "failed"
        countdown = backoff(self.request.retries)
        runner.release(run, exc.message, countdown)
        raise self.retry(countdown=countdown) from None


@shared_task(name="syncs.scheduled_sync")
def scheduled_sync(connection_id: int, kind: str) -> int:
    """What beat runs for a schedule: start a run of ``kind`` (or find the one going)."""
    from erp.models import ErpConnection
    from syncs.services import sync_request

    connection = ErpConnection.objects.select_related("account").get(pk=connection_id)
    run, _ = sync_request(account=connection.account, kind=kind, trigger="schedule")
    return run.pk


@shared_task(name="syncs.sweep_syncs")
def sweep_syncs() -> int:
    """Re-enqueue runs a crash or a lost message left behind (run every minute by beat)."""
    stale = runner.stale_runs()
    for run_id in stale:
        run_sync.delay(run_id)
    return len(stale)
