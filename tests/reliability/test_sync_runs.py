"""Syncs through a real Celery worker (and beat) on PostgreSQL and Redis: 100,000 job cost
transactions in batches, a rerun that adds nothing, a worker killed halfway, runs started
together from two workers and a duplicated beat, and a schedule set on the page that beat runs.

The ERP is the sandbox, filled through its console as the ERP's own users would. About two
minutes in all on 2 cores; skipped without PostgreSQL and Redis.
"""

from __future__ import annotations

import itertools
import threading
import time
from datetime import timedelta

from django.db import connection as db_connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule

from connectors.sandbox import console, job_costs
from connectors.sandbox.seed import ensure_records
from erp.connections import account_key, connection_for
from erp.models import ErpCall
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import tasks
from syncs.models import RunState, StagedRecord, SyncRun, SyncSchedule, Trigger
from syncs.services import sync_request
from tests.factories import AccountFactory, CompanyFactory, ProjectFactory, member
from tests.reliability.harness import (
    REDIS_URL,
    queue_depth,
    real_worker_marks,
    wait_for,
)

pytestmark = real_worker_marks()
TIMEOUT = 240.0
JOB = "J-1001"
SYNCED = {"erp_state": m.ErpState.SYNCED}


def books(slug: str = "recon"):
    """An account whose sandbox ledger has cost codes, cost types and vendors the portal
    already has (synced), and a synced project J-1001 that takes job costs."""
    account = AccountFactory(slug=slug, name="Recon Builders")
    ledger = account_key(account)
    ensure_records(
        ledger,
        "cost_type",
        [
            (f"CT-{c}", n, {"code": c, "name": n})
            for c, n in (
                ("L", "Labor"),
                ("M", "Material"),
                ("E", "Equipment"),
                ("S", "Subcontract"),
            )
        ],
    )
    console.cost_code_save(ledger, full_code="03", name="Concrete")
    for full, name in (
        ("03-100", "Formwork"),
        ("03-200", "Reinforcing"),
        ("03-300", "Cast-in-place"),
    ):
        console.cost_code_save(ledger, full_code=full, name=name)
    for number, name in (("V-1001", "Front Range Ready Mix"), ("V-1002", "Mile High Rebar")):
        console.vendor_save(ledger, number=number, name=name, city="Denver")
        CompanyFactory(account=account, name=name, origin_id=number, **SYNCED)
    console.job_save(ledger, number=JOB, name="Lakewood MOB")
    project = ProjectFactory(
        account=account, number="2401", origin_id=JOB, sync_job_costs=True, **SYNCED
    )
    return account, ledger, project


def run_to_end(run_id: int, tick=None) -> SyncRun:
    def ended() -> bool:
        if tick is not None:
            tick()
        return SyncRun.objects.get(pk=run_id).state not in (RunState.QUEUED, RunState.RUNNING)

    wait_for(
        ended,
        TIMEOUT,
        f"sync run {run_id} to end",
        every=0.5,
        detail=lambda: (
            f"{SyncRun.objects.filter(pk=run_id).values().first()}; {queue_depth(REDIS_URL)}"
        ),
    )
    return SyncRun.objects.get(pk=run_id)


def test_100000_job_costs_in_batches_and_a_rerun_adds_nothing(worker):
    account, ledger, project = books()
    first, _ = sync_request(account=account, kind="standard_cost_codes", trigger=Trigger.SCHEDULE)
    assert run_to_end(first.pk).state == RunState.SUCCEEDED
    assert job_costs.generate_job_costs(ledger, JOB, 100_000, seed=7) == 100_000

    run, started = sync_request(
        account=account, kind="job_cost_transactions", trigger=Trigger.SCHEDULE
    )
    assert started
    done = run_to_end(run.pk)
    assert done.state == RunState.SUCCEEDED, done.error
    assert (done.fetched, done.created, done.invalid) == (100_000, 100_000, 0), done.errors[:3]
    assert m.JobCostTransaction.objects.filter(project=project).count() == 100_000
    fetches = ErpCall.objects.filter(item_type="sync_run", item_id=run.pk, action="fetch")
    assert fetches.count() >= 100_000 // 500  # in batches, each call in the ERP log
    assert not fetches.exclude(outcome=ErpCall.Outcome.SUCCESS).exists()

    again, _ = sync_request(
        account=account,
        kind="job_cost_transactions",
        trigger=Trigger.MANUAL,
        actor=member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}),
    )
    rerun = run_to_end(again.pk)
    assert (rerun.state, rerun.fetched, rerun.created, rerun.updated) == (
        RunState.SUCCEEDED,
        0,
        0,
        0,
    )
    assert m.JobCostTransaction.objects.filter(project=project).count() == 100_000


def test_a_worker_killed_halfway_resumes_with_exactly_the_erps_rows(worker):
    account, ledger, project = books()
    run0, _ = sync_request(account=account, kind="standard_cost_codes", trigger=Trigger.SCHEDULE)
    run_to_end(run0.pk)
    job_costs.generate_job_costs(ledger, JOB, 30_000, seed=11)
    connection = connection_for(account)
    connection.settings = {**connection.settings, "latency_ms": "150"}  # ~0.2 s a batch
    connection.save()

    run, _ = sync_request(account=account, kind="job_cost_transactions", trigger=Trigger.SCHEDULE)
    wait_for(
        lambda: SyncRun.objects.get(pk=run.pk).fetched >= 8_000,
        TIMEOUT,
        "a third of the rows to be in",
        every=0.05,
    )
    worker.kill()
    at_kill = SyncRun.objects.get(pk=run.pk)
    assert at_kill.state == RunState.RUNNING and at_kill.fetched < 30_000
    in_portal = m.JobCostTransaction.objects.filter(project=project).count()
    assert in_portal == at_kill.fetched  # each committed batch moved the cursor with its rows

    worker.start()
    # Beat sweeps every minute; here every 2 s. The run is taken back once its lease (5 s in
    # the worker's settings) has run out.
    done = run_to_end(run.pk, tick=_every(2.0, tasks.sweep_syncs.delay))
    assert done.state == RunState.SUCCEEDED, done.error
    assert done.attempts >= 2
    rows = m.JobCostTransaction.objects.filter(project=project)
    assert rows.count() == 30_000
    assert rows.values("origin_id").distinct().count() == 30_000


def test_runs_started_together_from_two_workers_and_two_beats_make_one_run(worker):
    account, ledger, _ = books()
    for n in range(40):
        console.vendor_save(ledger, name=f"Subcontractor {n}")
    connection_id = connection_for(account).pk
    # Two beats fire the same schedule at once, twice, on a worker with two processes...
    for _ in range(2):
        tasks.scheduled_sync.delay(connection_id, "vendors")
        tasks.scheduled_sync.delay(connection_id, "vendors")
    # ... while two web requests ask for it too.
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    answers: list[int] = []

    def click() -> None:
        try:
            run, _ = sync_request(account=account, kind="vendors", actor=admin)
            answers.append(run.pk)
        finally:
            db_connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_for(
        lambda: (
            SyncRun.objects.filter(kind="vendors").exists()
            and not SyncRun.objects.filter(kind="vendors", state__in=["queued", "running"]).exists()
            and queue_depth(REDIS_URL).get("celery", 0) == 0
        ),
        TIMEOUT,
        "the vendor syncs to end",
        every=0.2,
    )
    runs = SyncRun.objects.filter(kind="vendors")
    # At most one ran at a time: each later request found nothing new to fetch.
    assert runs.filter(state=RunState.SUCCEEDED).count() == runs.count()
    assert sum(runs.values_list("created", flat=True)) == 42
    # ... and never two at once: each run ended before the next one started.
    spans = sorted(runs.values_list("started_at", "finished_at"))
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start
    assert set(answers) <= set(runs.values_list("pk", flat=True))
    assert StagedRecord.objects.filter(item_type="vendors").count() == 42


def test_a_schedule_set_on_the_page_is_what_beat_runs(worker, beat):
    account, ledger, _ = books()
    console.vendor_save(ledger, name="Summit Drywall")
    admin = member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    client = Client()
    client.force_login(admin)
    url = reverse("sync-schedules", kwargs={"account": account.slug})
    assert client.get(url).status_code == 200
    saved = client.post(url, {"kind": "vendors", "every": "hourly", "at": "", "cron": ""})
    assert saved.status_code == 302
    for other in SyncSchedule.objects.exclude(kind="vendors"):
        client.post(url, {"kind": other.kind, "every": "never", "at": "", "cron": ""})
    # The test's short interval: the page's Hourly row, shortened to 2 seconds.
    schedule = SyncSchedule.objects.get(connection__account=account, kind="vendors")
    task = schedule.periodic_task
    task.interval = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    task.last_run_at = timezone.now() - timedelta(seconds=5)
    task.save()
    beat.start()
    wait_for(
        lambda: (
            SyncRun.objects.filter(
                kind="vendors", trigger=Trigger.SCHEDULE, state=RunState.SUCCEEDED
            ).count()
            >= 2
        ),
        TIMEOUT,
        "beat to run the vendors sync twice",
        detail=beat.tail,
    )
    assert not SyncRun.objects.exclude(kind="vendors").exists()  # Never means never
    assert StagedRecord.objects.filter(item_type="vendors", name="Summit Drywall").count() == 1


def _every(seconds: float, action):
    last = [0.0]

    def tick() -> None:
        if time.monotonic() - last[0] >= seconds:
            last[0] = time.monotonic()
            action()

    return tick
