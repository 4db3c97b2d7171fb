"""Exports per second through the whole pipeline (accepted -> Celery worker -> sandbox ERP ->
synced) against the sandbox connector called directly in a loop."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

ROOT = Path(__file__).resolve().parent.parent


def _commitments(count: int) -> tuple[Any, list[Any]]:
    """``count`` new commitments of the demo account, one line each, ready to export."""
    from integrations import models as m
    from tenancy.models import Account

    account = Account.objects.get(slug="summit")
    project = m.Project.objects.filter(account=account, erp_state="synced").first()
    vendor = m.Company.objects.filter(account=account, erp_state="synced").first()
    code = m.CostCode.objects.filter(project=project, standard_code__erp_state="synced").first()
    stamp = timezone.now().strftime("%H%M%S%f")
    commitments = m.Commitment.objects.bulk_create(
        m.Commitment(
            account=account,
            project=project,
            vendor=vendor,
            number=f"B{stamp[-6:]}{i:04d}"[:30],
            title=f"Bench {i}",
            status="approved",
            erp_state="accepted",
        )
        for i in range(count)
    )
    m.CommitmentLineItem.objects.bulk_create(
        m.CommitmentLineItem(commitment=c, cost_code=code, amount=Decimal("1000.00"))
        for c in commitments
    )
    return account, commitments


def _accepted_requests(count: int) -> tuple[Any, list[int]]:
    """``count`` new commitments, each with an accepted export request."""
    from approvals.models import ExportRequest, RequestState
    from tenancy.models import Membership

    account, commitments = _commitments(count)
    sender = Membership.objects.get(account=account, user__username="pm").user
    now = timezone.now()
    requests = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=c.pk,
            project=c.project,
            state=RequestState.ACCEPTED,
            summary={"label": str(c)},
            sent_by=sender,
            sent_at=now,
            decided_by=sender,
            decided_at=now,
        )
        for c in commitments
    )
    return account, [r.pk for r in requests]


def _sessions() -> int:
    """Connections PostgreSQL has accepted into this database so far (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _start_workers(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "erp_portal", "worker", "-l", "warning",
        "--concurrency", "2", "-P", "prefork", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def _stop(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a task still running: the bench's figure is taken
        worker.kill()
        worker.wait()


def through_pipeline(count: int, env: dict[str, str]) -> dict[str, float]:
    """Exports per second with two worker processes, from enqueue to the last synced, and the
    database connections the workers opened meanwhile. Every request that reached the ERP in
    that time counts (an earlier run's leftovers too: the claim takes them along)."""
    from approvals.export_tasks import enqueue
    from approvals.models import ExportRequest, RequestState

    account, ids = _accepted_requests(count)
    worker = _start_workers(env)
    try:
        time.sleep(4)  # let the worker boot before the clock starts
        sessions, since = _sessions(), timezone.now()
        started = time.perf_counter()
        enqueue(ids)
        deadline = started + 600
        while time.perf_counter() < deadline:
            done = ExportRequest.objects.filter(pk__in=ids, state=RequestState.SYNCED).count()
            if done == len(ids):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"Only {done} of {len(ids)} exports finished in time.")
        elapsed = time.perf_counter() - started
        exported = ExportRequest.objects.filter(
            account=account, state=RequestState.SYNCED, updated_at__gte=since
        ).count()
        return {
            "exported": exported,
            "per_s": exported / elapsed,
            "connections": _sessions() - sessions,
        }
    finally:
        _stop(worker)


def direct(count: int) -> float:
    """The sandbox connector called in a plain loop with payloads built beforehand, in the
    batches it takes (as the pipeline calls it). No export request is made: nothing is left for
    a later run's workers."""
    from connectors.sandbox.connector import SandboxConnector
    from integrations.kinds import by_object_type

    erp = by_object_type("commitment").erp
    assert erp is not None
    _, commitments = _commitments(count)
    records = type(commitments[0])._default_manager.select_related(*erp.related)
    payloads = [(c.pk, erp.build(c)) for c in records.filter(pk__in=[c.pk for c in commitments])]
    connector = SandboxConnector({"ledger": "bench-direct"})
    size = connector.capabilities.entity("commitment").batch_size
    started = time.perf_counter()
    for start in range(0, len(payloads), size):
        batch = payloads[start : start + size]
        connector.export_batch("commitment", [(payload, f"direct:{pk}") for pk, payload in batch])
    return count / (time.perf_counter() - started)


def run(count: int, env: dict[str, str]) -> dict[str, Any]:
    pipeline = through_pipeline(count, env)
    direct_rate = direct(count)
    ratio = pipeline["per_s"] / direct_rate
    return {
        "exports": count,
        "exported": pipeline["exported"],
        "database": connection.vendor,
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "database_connections_opened": pipeline["connections"],
        "pipeline_exports_per_s": round(pipeline["per_s"], 1),
        "direct_exports_per_s": round(direct_rate, 1),
        "pipeline_to_direct_ratio": round(ratio, 3),
        "goal": ">= 0.5",
        "meets_goal": ratio >= 0.5,
    }
