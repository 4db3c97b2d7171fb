"""Accepted items reach the ERP exactly once through a real Celery worker, whatever fails.

Each test starts a worker (``celery worker``, prefork, 2 processes) on a Redis db of its own,
sharing the PostgreSQL test database, and drives it the way users and beat do: accept (the
export is enqueued on commit), run the sweeper, retry, resume a paused connection. Faults come
from the sandbox ERP's settings on the connection. Needs PostgreSQL and Redis; skipped
otherwise. About a minute in all (2 cores).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from approvals import export_tasks, pipeline
from approvals.models import RequestState
from approvals.services import export_retry
from erp.models import ErpCall, ErpConnection
from erp.services import connection_set_paused
from integrations.models import Commitment, ErpState
from tests.reliability.harness import (
    REDIS_URL,
    queue_depth,
    real_worker_marks,
    wait_for,
)
from tests.reliability.scenario import (
    Batch,
    accept,
    assert_exported_exactly_once,
    calls,
    pending_commitments,
    user,
)

S = RequestState
Outcome = ErpCall.Outcome
TIMEOUT = 120.0  # seconds, for any one wait on the worker

pytestmark = real_worker_marks()


def wait_until_settled(batch: Batch, *, done: tuple[str, ...] = (S.SYNCED,), tick=None) -> None:
    """Until every request is in one of ``done``; fail at once if one lands elsewhere for good
    (Failed to Export, unless failing is what the test waits for)."""
    last_tick = time.monotonic()

    def settled() -> bool:
        nonlocal last_tick
        if S.FAILED not in done:
            failed = list(batch.requests(S.FAILED).values_list("pk", "error")[:3])
            assert not failed, f"requests failed: {failed}"
        if tick is not None and time.monotonic() - last_tick > 2:
            last_tick = time.monotonic()
            tick()
        return batch.count(*done) == len(batch.request_ids)

    def detail() -> str:
        stuck = batch.requests().exclude(state__in=done).order_by("pk")
        sample = list(stuck.values_list("pk", "state", "attempts", "updated_at", "error")[:5])
        return f"{dict(batch.states())}; broker {queue_depth(REDIS_URL)}; e.g. {sample}"

    wait_for(
        settled,
        TIMEOUT,
        f"{len(batch.request_ids)} requests to be {'/'.join(done)}",
        detail=detail,
    )


def sessions() -> int:
    """Connections PostgreSQL has accepted into the test database so far."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_200_accepted_items_are_each_filed_once(worker):
    batch = pending_commitments(200, prefix="A")
    before = sessions()
    accept(batch)
    wait_until_settled(batch)
    assert_exported_exactly_once(batch)
    assert set(batch.requests().values_list("attempts", flat=True)) == {1}
    assert calls(batch, Outcome.SUCCESS).count() == 200
    assert not calls(batch).exclude(outcome=Outcome.SUCCESS).exists()
    # Two messages of 100 and workers that keep their database connections: a handful of new
    # connections, not one per request or per task.
    time.sleep(1.5)  # PostgreSQL publishes its session counts at most once a second
    assert sessions() - before <= 10


def test_transient_errors_and_lost_responses_still_file_each_item_once(worker):
    batch = pending_commitments(200, prefix="T")
    batch.configure(transient_error_rate="0.2", lost_response_rate="0.1")
    accept(batch)
    wait_until_settled(batch)
    assert_exported_exactly_once(batch)
    # The faults did happen, and every error was superseded by the success that followed.
    lost = calls(batch, Outcome.TRANSIENT).filter(error__startswith="Timed out")
    assert lost.exists()
    assert calls(batch, Outcome.TRANSIENT).exclude(error__startswith="Timed out").exists()
    assert not calls(batch).exclude(outcome=Outcome.SUCCESS).filter(resolved=False).exists()
    assert batch.count() == 200 and batch.requests().filter(attempts__gt=1).exists()


def test_worker_killed_mid_export_loses_and_duplicates_nothing(worker):
    batch = pending_commitments(500, prefix="K")
    batch.configure(latency_ms="20")  # ~1 s per batch of 50: time to kill it in the middle
    accept(batch)
    # Kill it when 150 are in the ERP, during a call to the ERP (its log rows have no outcome).
    in_call = calls(batch).filter(outcome="")
    wait_for(
        lambda: batch.filed().count() >= 150 and in_call.exists(),
        TIMEOUT,
        "150 records in the ERP and a call under way",
        every=0.05,
        detail=lambda: (
            f"{dict(batch.states())}, {batch.filed().count()} filed, {queue_depth(REDIS_URL)}"
        ),
    )
    worker.kill()
    at_kill, filed_at_kill = batch.states(), batch.filed().count()
    held = set(batch.requests(S.EXPORTING).values_list("pk", flat=True))
    assert held, f"nothing was being exported when the worker died: {at_kill}"
    # Some records were in the ERP that the portal had not yet marked synced: the case where
    # exporting again would file a duplicate.
    assert at_kill[S.SYNCED] < filed_at_kill < 500

    worker.start()
    # Beat runs the sweeper every minute; here every 2 s. It takes back the requests the dead
    # worker held once their lease (10 s in the worker's settings) has run out.
    wait_until_settled(batch, tick=export_tasks.sweep_exports.delay)
    worker.stop()

    assert_exported_exactly_once(batch)
    assert not batch.requests(S.ACCEPTED, S.EXPORTING).exists()
    # The interrupted attempts are in the log: calls cut short, then the retry that filed them.
    # (whatever the last sweep had not marked yet; the test process has the 5-minute lease)
    pipeline.mark_interrupted_calls(now=timezone.now() + timedelta(minutes=10))
    interrupted = calls(batch, Outcome.INTERRUPTED)
    assert interrupted.exists()
    assert set(interrupted.values_list("payload_summary__request", flat=True)) <= held
    assert not calls(batch).filter(outcome="").exists()
    assert min(batch.requests().filter(pk__in=held).values_list("attempts", flat=True)) >= 2


def test_permanent_error_fails_once_then_retry_files_it_once(worker):
    batch = pending_commitments(3, prefix="P")
    batch.configure(permanent_error_rate="1")
    accept(batch)
    wait_until_settled(batch, done=(S.FAILED,))
    for request in batch.requests():
        assert request.attempts == 1
        assert request.error.startswith("422 Unprocessable")
    assert calls(batch).count() == 3
    assert calls(batch, Outcome.PERMANENT).count() == 3
    items = Commitment.objects.filter(pk__in=batch.item_ids)
    assert set(items.values_list("erp_state", flat=True)) == {ErpState.FAILED}
    assert not batch.filed().exists()

    batch.configure(permanent_error_rate="")  # the cause is fixed
    export_retry(account=batch.account, request_ids=batch.request_ids, actor=user("approver"))
    wait_until_settled(batch)
    assert_exported_exactly_once(batch)
    assert set(batch.requests().values_list("attempts", flat=True)) == {2}
    assert not calls(batch, Outcome.PERMANENT).filter(resolved=False).exists()


def test_refused_credentials_pause_the_connection_and_resume_without_losses(worker):
    batch = pending_commitments(120, prefix="C")
    batch.configure(reject_credentials="yes")
    accept(batch)

    def paused() -> bool:
        return ErpConnection.objects.get(pk=batch.connection.pk).is_paused

    wait_for(paused, TIMEOUT, "the connection to pause")
    # What was in flight when it paused goes back to the queue; retries find it paused.
    wait_for(lambda: not batch.requests(S.EXPORTING).exists(), TIMEOUT, "no export in flight")
    time.sleep(3)  # longer than the test worker's retry backoff (2 s): let the retries land
    connection = ErpConnection.objects.get(pk=batch.connection.pk)
    assert connection.is_paused
    assert "refused" in connection.paused_reason
    limit = pipeline.AUTH_FAILURES_TO_PAUSE
    assert limit <= connection.auth_failures <= limit + 1  # 2 worker processes: one more in flight
    assert batch.states() == {S.ACCEPTED: 120}, "items must stay queued, not fail"
    items = Commitment.objects.filter(pk__in=batch.item_ids)
    assert set(items.values_list("erp_state", flat=True)) == {ErpState.ACCEPTED}
    assert calls(batch, Outcome.AUTH).exists()
    assert not batch.filed().exists()

    batch.configure(reject_credentials="")  # the admin fixes the credentials, then resumes
    connection_set_paused(account=batch.account, actor=user("erpadmin"), paused=False)
    wait_until_settled(batch)
    assert_exported_exactly_once(batch)
    assert ErpConnection.objects.get(pk=batch.connection.pk).auth_failures == 0
