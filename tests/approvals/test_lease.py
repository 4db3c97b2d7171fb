"""A claimed batch keeps its lease while its worker works, and only that worker's claim counts;
the sweeper enqueues again exactly what a crash or a lost message left behind.

No worker here: the pipeline's functions are called the way a worker calls them, with the clock
passed in where it matters. The worker-level proof (a worker killed mid-batch) is
tests/reliability/test_recovery.py.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from approvals import export_tasks, pipeline
from approvals.leases import LeaseKeeper, renew
from approvals.models import ExportRequest, RequestState
from connectors.base import ExportResult, ObjectType
from erp.models import ErpConnection
from tests.factories import AccountFactory, CommitmentFactory, UserFactory

S = RequestState


def accepted(count: int, **fields: Any) -> list[ExportRequest]:
    """Accepted commitment requests of one account, accepted a moment ago."""
    account = AccountFactory()
    pm, now = UserFactory(), timezone.now()
    return [
        ExportRequest.objects.create(
            account=account,
            item_type=ObjectType.COMMITMENT,
            item_id=CommitmentFactory(account=account).pk,
            state=S.ACCEPTED,
            summary={"label": f"SC-{i}"},
            sent_by=pm,
            sent_at=now,
            decided_at=now + timedelta(microseconds=i),
            **fields,
        )
        for i in range(count)
    ]


def fresh(request: ExportRequest) -> ExportRequest:
    return ExportRequest.objects.get(pk=request.pk)


def expire(request: ExportRequest) -> None:
    ExportRequest.objects.filter(pk=request.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def lease_30s(settings: Any) -> None:
    settings.EXPORT_LEASE_SECONDS = 30
    settings.EXPORT_STALE_ACCEPTED_SECONDS = 30


# --- The heartbeat ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_renewing_extends_the_lease_of_what_the_worker_still_holds(lease_30s):
    first, second = accepted(2)
    batch = pipeline.claim(first.pk, batch_size=2)
    assert {r.pk for r in batch} == {first.pk, second.pk}
    claim = batch[0].claim
    assert claim is not None and {fresh(r).claim for r in batch} == {claim}
    claimed_until = fresh(first).lease_until
    assert claimed_until is not None

    later = timezone.now() + timedelta(seconds=20)
    assert renew([first.pk, second.pk], claim, now=later) == 2
    assert fresh(first).lease_until == fresh(second).lease_until == later + timedelta(seconds=30)

    # The second one's lease ran out (its worker stalled) and another worker claimed it.
    expire(second)
    (taken,) = pipeline.claim(second.pk)
    assert taken.claim != claim
    theirs = fresh(second).lease_until
    even_later = later + timedelta(seconds=20)
    assert renew([first.pk, second.pk], claim, now=even_later) == 1
    assert fresh(first).lease_until == even_later + timedelta(seconds=30)
    assert fresh(second).lease_until == theirs and fresh(second).claim == taken.claim

    # Once the batch is stored, there is nothing left to renew.
    pipeline._succeed([(batch[0], ExportResult(origin_id="SC-1"))])
    assert fresh(first).state == S.SYNCED and fresh(first).claim is None
    assert renew([first.pk], claim, now=even_later) == 0


@pytest.mark.django_db
def test_a_worker_whose_claim_was_taken_over_stores_no_outcome(lease_30s):
    (request,) = accepted(1)
    (mine,) = pipeline.claim(request.pk)
    expire(request)
    (theirs,) = pipeline.claim(request.pk)
    assert fresh(request).attempts == 2

    # The first worker comes back from a long call: its success, error or failure is not
    # stored; the second worker (which looks the record up by its key first) decides.
    pipeline._succeed([(mine, ExportResult(origin_id="SC-9"))])
    assert pipeline._release([mine], "503 Service Unavailable") == []
    pipeline._fail(mine, "422 Unprocessable")
    now = fresh(request)
    assert (now.state, now.claim, now.error) == (S.EXPORTING, theirs.claim, "")

    pipeline._succeed([(theirs, ExportResult(origin_id="SC-9"))])
    assert fresh(request).state == S.SYNCED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_lease_keeper_renews_while_the_block_runs_and_stops_after(lease_30s):
    first, second = accepted(2)
    batch = pipeline.claim(first.pk, batch_size=2)
    # The second one was taken over by another worker (with a lease of its own) meanwhile.
    expire(second)
    (taken,) = pipeline.claim(second.pk)
    soon, theirs = (timezone.now() + timedelta(seconds=s) for s in (1, 5))
    ExportRequest.objects.filter(pk=first.pk).update(lease_until=soon)
    ExportRequest.objects.filter(pk=second.pk).update(lease_until=theirs)

    # The worker exports (this thread does not touch the database meanwhile: an in-memory
    # SQLite database has no busy wait for a second writer).
    with LeaseKeeper(batch, every=0.05) as keeper:
        deadline = time.monotonic() + 10
        while keeper.beats < 3:
            assert time.monotonic() < deadline, "the lease keeper did not beat"
            time.sleep(0.05)
    renewed = fresh(first).lease_until
    assert renewed is not None and renewed > timezone.now() + timedelta(seconds=25)
    assert fresh(second).lease_until == theirs and fresh(second).claim == taken.claim

    # Stopped with the block: the lease is no longer touched.
    assert not keeper._thread.is_alive()
    ExportRequest.objects.filter(pk=first.pk).update(lease_until=soon)
    time.sleep(0.3)
    assert fresh(first).lease_until == soon


# --- The sweeper's choice --------------------------------------------------------------------


def _set(request: ExportRequest, **fields: Any) -> None:
    ExportRequest.objects.filter(pk=request.pk).update(**fields)


@pytest.mark.django_db
def test_the_sweeper_enqueues_what_was_left_behind_and_nothing_else(lease_30s):
    now = timezone.now()
    ago = {s: now - timedelta(seconds=s) for s in (5, 40, 120)}
    lost, fresh_one, dead_lease, live_lease, overdue, due_soon, in_grace = accepted(7)
    (paused,) = accepted(1)  # another account, whose connection is paused
    _set(lost, updated_at=ago[120])  # accepted 2 min ago, its message lost
    _set(fresh_one, updated_at=ago[5])  # accepted just now: its message is on the way
    _set(dead_lease, state=S.EXPORTING, lease_until=ago[5], updated_at=ago[40])
    _set(live_lease, state=S.EXPORTING, lease_until=now + timedelta(seconds=20))
    # Released after a transient error: the retry was due 40 s ago (its worker died) ...
    _set(overdue, updated_at=ago[120], next_attempt_at=ago[40])
    # ... due in a minute (the backoff holds, however long ago it was released) ...
    _set(due_soon, updated_at=ago[120], next_attempt_at=now + timedelta(minutes=1))
    # ... due 5 s ago: within the grace period, its worker may just be busy.
    _set(in_grace, updated_at=ago[120], next_attempt_at=ago[5])
    ErpConnection.objects.create(account=paused.account, is_paused=True, paused_reason="Paused")
    _set(paused, updated_at=ago[120])

    assert set(pipeline.stale_requests(now)) == {lost.pk, dead_lease.pk, overdue.pk}


@pytest.mark.django_db
def test_a_retry_is_left_to_its_backoff_then_swept_once_overdue(lease_30s):
    (request,) = accepted(1)
    (claimed,) = pipeline.claim(request.pk)
    pipeline._release([claimed], "503 Service Unavailable")
    pipeline.retry_due([request.pk], countdown=600)  # the task retries in 10 minutes
    waiting = fresh(request)
    assert (waiting.state, waiting.error) == (S.ACCEPTED, "503 Service Unavailable")
    due = waiting.next_attempt_at
    assert due is not None
    assert not pipeline.stale_requests(timezone.now() + timedelta(minutes=9))
    assert not pipeline.stale_requests(due + timedelta(seconds=29))
    assert pipeline.stale_requests(due + timedelta(seconds=31)) == [request.pk]


@pytest.mark.django_db
def test_a_swept_request_is_not_enqueued_again_at_every_sweep(lease_30s, monkeypatch):
    """It may only be waiting in a long queue: the sweeper waits as long again as it has waited
    (at most 2 minutes) before it sends another message."""
    minute, long_ago = accepted(2)
    _set(minute, updated_at=timezone.now() - timedelta(minutes=1))
    _set(long_ago, updated_at=timezone.now() - timedelta(minutes=30))
    enqueued: list[int] = []
    monkeypatch.setattr(export_tasks, "enqueue", lambda ids: enqueued.extend(ids))
    assert export_tasks.sweep_exports() == 2
    assert export_tasks.sweep_exports() == 0  # their new messages are on the way
    assert sorted(enqueued) == [minute.pk, long_ago.pk]

    now = timezone.now()
    for request, wait in ((minute, timedelta(minutes=1)), (long_ago, timedelta(minutes=2))):
        due = fresh(request).next_attempt_at
        assert due is not None and abs(due - (now + wait)) < timedelta(seconds=5)
        # Still nobody on it once that wait and the grace period are over: enqueued again.
        assert request.pk not in pipeline.stale_requests(due + timedelta(seconds=29))
        assert request.pk in pipeline.stale_requests(due + timedelta(seconds=31))
