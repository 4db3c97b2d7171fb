"""A sync run from the sandbox ERP, end to end in the test process: batches, the cursor, the
ERP log, the audit trail, one run at a time, crash and resume, transient and permanent errors,
cancel. (With a real worker and beat: tests/reliability/test_sync_runs.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from connectors.sandbox import console
from erp.connections import account_key, connection_for
from erp.models import ErpCall
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import runner
from syncs.models import RunState, StagedRecord, StagedStatus, SyncCursor, SyncRun, Trigger
from syncs.services import sync_cancel, sync_request
from tests.factories import member

BATCH = 500  # the sandbox ERP's page size


@pytest.fixture
def ledger(account) -> str:
    return account_key(account)


@pytest.fixture
def admin(account):
    return member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})


def vendors(ledger: str, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        console.vendor_save(ledger, number=f"V-{5000 + n}", name=f"Subcontractor {n}")


def sync(account, kind: str = "vendors", **kwargs) -> SyncRun:
    run, started = sync_request(account=account, kind=kind, trigger=Trigger.SCHEDULE, **kwargs)
    assert started
    runner.execute(run.pk)
    run.refresh_from_db()
    return run


def test_a_sync_stages_the_erps_vendors_logs_every_call_and_a_rerun_adds_nothing(account, ledger):
    vendors(ledger, 3)
    run = sync(account)
    assert run.state == RunState.SUCCEEDED
    assert (run.fetched, run.created, run.updated, run.invalid) == (3, 3, 0, 0)
    assert run.started_at and run.finished_at and run.total == 3
    staged = StagedRecord.objects.filter(account=account, item_type="vendors")
    assert sorted(staged.values_list("origin_id", flat=True)) == ["V-5000", "V-5001", "V-5002"]
    assert set(staged.values_list("status", flat=True)) == {StagedStatus.STAGED}
    calls = ErpCall.objects.filter(item_type="sync_run", item_id=run.pk, action="fetch")
    assert calls.count() == 2  # the batch, then the empty answer that ends the fetch
    assert set(calls.values_list("outcome", flat=True)) == {ErpCall.Outcome.SUCCESS}
    verbs = list(
        AuditEvent.objects.filter(item_type="sync_run", item_id=run.pk).values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["sync_requested", "sync_started", "sync_finished"]

    rerun = sync(account)
    assert (rerun.state, rerun.fetched, rerun.created) == (RunState.SUCCEEDED, 0, 0)
    console.vendor_save(ledger, number="V-5001", name="Subcontractor 1 (renamed)")
    changed = sync(account)
    assert (changed.fetched, changed.created, changed.updated) == (1, 0, 1)
    assert staged.get(origin_id="V-5001").name == "Subcontractor 1 (renamed)"
    assert staged.count() == 3


def test_a_second_request_while_one_runs_gets_the_running_one(account, admin):
    first, started = sync_request(account=account, kind="vendors", actor=admin)
    again, started_again = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    assert started and not started_again and again.pk == first.pk
    other, started_other = sync_request(account=account, kind="jobs", actor=admin)
    assert started_other and other.pk != first.pk  # one per kind, not one per account


def test_a_crash_between_batches_resumes_at_the_cursor(account, ledger, monkeypatch):
    vendors(ledger, 2 * BATCH + 100)
    run, _ = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    commit = runner.Fetch.commit
    calls = {"n": 0}

    def crash_after_the_first_batch(self, batch, prepared, start, first):
        if calls["n"] == 1:
            raise SystemExit("the worker died")
        calls["n"] += 1
        commit(self, batch, prepared, start, first)

    monkeypatch.setattr(runner.Fetch, "commit", crash_after_the_first_batch)
    with pytest.raises(SystemExit):
        runner.execute(run.pk)
    run.refresh_from_db()
    assert run.state == RunState.RUNNING and run.fetched == BATCH
    assert StagedRecord.objects.filter(item_type="vendors").count() == BATCH
    cursor = SyncCursor.objects.get(kind="vendors")
    assert cursor.position["vendors"]  # moved with the first batch, not further

    monkeypatch.setattr(runner.Fetch, "commit", commit)
    assert runner.execute(run.pk) == "skipped"  # its worker may still be alive: the lease holds
    SyncRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert run.pk in runner.stale_runs()
    assert runner.execute(run.pk) == RunState.SUCCEEDED
    run.refresh_from_db()
    assert (run.fetched, run.created, run.attempts) == (2 * BATCH + 100, 2 * BATCH + 100, 2)
    staged = StagedRecord.objects.filter(item_type="vendors")
    assert staged.count() == staged.values("origin_id").distinct().count() == 2 * BATCH + 100


def test_a_transient_error_queues_the_run_again_and_a_permanent_one_fails_it(account, ledger):
    vendors(ledger, 2)
    connection = connection_for(account)
    connection.settings = {**connection.settings, "transient_error_rate": "1"}
    connection.save()
    run, _ = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    with pytest.raises(runner.RetryLater) as retry:
        runner.execute(run.pk)
    assert "503 Service Unavailable" in retry.value.message
    runner.release(run, retry.value.message, countdown=5)
    run.refresh_from_db()
    assert run.state == RunState.QUEUED and run.error.startswith("Retrying: 503")
    assert ErpCall.objects.filter(item_id=run.pk, outcome=ErpCall.Outcome.TRANSIENT).exists()

    connection.settings = {**connection.settings, "transient_error_rate": "0"}
    connection.settings["permanent_error_rate"] = "1"
    connection.save()
    assert runner.execute(run.pk) == RunState.FAILED
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "422 Unprocessable" in run.error
    assert run.finished_at is not None


def test_cancelling_stops_the_run_and_keeps_what_it_had(account, ledger, admin):
    vendors(ledger, 2)
    run, _ = sync_request(account=account, kind="vendors", actor=admin)
    sync_cancel(account=account, run=run, actor=admin)
    assert runner.execute(run.pk) == "skipped"
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED and not StagedRecord.objects.exists()
    with pytest.raises(ValidationError):
        sync_cancel(account=account, run=run, actor=admin)


def test_who_may_sync_what_follows_the_seed(account):
    standard = member(account, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    # "Refresh the Companies List for ERP": Admin only. "Import an ERP Sub Job to a Procore
    # Project": Standard and Admin.
    with pytest.raises(PermissionDenied):
        sync_request(account=account, kind="vendors", actor=standard)
    run, _ = sync_request(account=account, kind="sub_jobs", actor=standard)
    assert run.requested_by == standard


def test_job_costs_need_a_synced_project_that_opted_in(account, admin):
    project = m.Project.objects.create(account=account, number="9001", name="Not synced")
    with pytest.raises(ValidationError) as refused:
        sync_request(account=account, kind="job_cost_transactions", actor=admin, project=project)
    assert "not synced with the ERP" in str(refused.value)
    project.origin_id, project.erp_state = "J-9001", m.ErpState.SYNCED
    project.save()
    with pytest.raises(ValidationError) as refused:
        sync_request(account=account, kind="job_cost_transactions", actor=admin, project=project)
    assert "does not sync job costs" in str(refused.value)


def test_an_unknown_kind_is_refused_by_name(account, admin):
    with pytest.raises(ValidationError) as refused:
        sync_request(account=account, kind="timesheets", actor=admin)
    assert "kind" in refused.value.message_dict
