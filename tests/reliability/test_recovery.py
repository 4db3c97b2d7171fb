"""A killed worker's exports resume in seconds, on production's clocks, and still reach the ERP
exactly once.

A real Celery worker and beat (on a Redis db of the suite's own, sharing the PostgreSQL test
database) run with production's export lease (30 s, renewed while the worker works), sweeper
(every 15 s) and grace period (30 s): ``RELIABILITY_CLOCKS=production``. Needs PostgreSQL and
Redis; skipped otherwise. About two minutes in all (2 cores).
"""

from __future__ import annotations

import sys

import pytest
from django.db.models import Max
from django.utils import timezone

from approvals.models import RequestState
from erp.models import ErpCall
from integrations.models import Commitment
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
)

S = RequestState
Outcome = ErpCall.Outcome
RECOVERY = 90.0  # seconds from the kill to the last item synced, at most
TIMEOUT = 180.0

pytestmark = real_worker_marks()


@pytest.fixture
def clocks() -> dict[str, str]:
    return {"RELIABILITY_CLOCKS": "production"}


def progress(batch: Batch) -> str:
    return f"{dict(batch.states())}, {batch.filed().count()} filed, {queue_depth(REDIS_URL)}"


def wait_until_synced(batch: Batch) -> None:
    def synced() -> bool:
        failed = list(batch.requests(S.FAILED).values_list("pk", "error")[:3])
        assert not failed, f"requests failed: {failed}"
        return batch.count(S.SYNCED) == len(batch.request_ids)

    wait_for(synced, TIMEOUT, "every request to be synced", detail=lambda: progress(batch))


def test_a_killed_workers_batch_is_exported_again_within_90_seconds(worker, beat):
    batch = pending_commitments(240, prefix="R")
    batch.configure(latency_ms="100")  # ~5 s per batch of 50: the kill lands in the middle
    accept(batch)
    # Kill it while both its processes are halfway through a batch: records in the ERP that
    # the portal has not marked synced yet (they are marked when the batch ends).
    wait_for(
        lambda: batch.filed().count() >= 60 and calls(batch).filter(outcome="").exists(),
        TIMEOUT,
        "60 records in the ERP and a call under way",
        every=0.05,
        detail=lambda: progress(batch),
    )
    worker.kill()
    killed_at = timezone.now()
    held = set(batch.requests(S.EXPORTING).values_list("pk", flat=True))
    assert held, f"nothing was being exported when the worker died: {progress(batch)}"
    assert batch.count(S.SYNCED) < batch.filed().count() < len(batch.request_ids)

    # A new worker and beat, on production's clocks: nobody sweeps by hand.
    worker.start()
    beat.start()
    wait_until_synced(batch)
    last = Commitment.objects.filter(pk__in=batch.item_ids).aggregate(last=Max("erp_synced_at"))
    waited = (last["last"] - killed_at).total_seconds()
    worker.stop()

    assert_exported_exactly_once(batch)  # each once in the ERP's ledger, under its ERP id
    retried = batch.requests().filter(pk__in=held)
    assert min(retried.values_list("attempts", flat=True)) == 2
    sys.stdout.write(f"\nkilled with {len(held)} requests held: last synced {waited:.1f}s later\n")
    assert waited <= RECOVERY, f"the last item was synced {waited:.0f}s after the kill"


SHORT_LEASE = {"RELIABILITY_CLOCKS": "production", "EXPORT_LEASE_SECONDS": "3"}


@pytest.mark.parametrize("clocks", [{**SHORT_LEASE, "EXPORT_SWEEP_SECONDS": "1"}])
def test_a_batch_longer_than_its_lease_stays_with_its_live_worker(worker, beat):
    """The sweeper runs every second and the lease is 3 s; the batch takes about 10 s. Without
    renewal the sweeper would hand the batch to the worker's second process halfway through."""
    batch = pending_commitments(50, prefix="L")
    batch.configure(latency_ms="200")
    beat.start()
    accept(batch)
    wait_until_synced(batch)
    worker.stop()

    assert_exported_exactly_once(batch)
    assert set(batch.requests().values_list("attempts", flat=True)) == {1}
    assert not calls(batch).filter(action="lookup").exists()
    assert calls(batch, Outcome.SUCCESS).count() == 50
