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


def _accepted_requests(count: int) -> tuple[Any, list[int]]:
    """``count`` commitments of the demo account, each with an accepted export request."""
    from approvals.models import ExportRequest, RequestState
    from integrations import models as m
    from tenancy.models import Account, Membership

    account = Account.objects.get(slug="summit")
    project = m.Project.objects.filter(account=account, erp_state="synced").first()
    vendor = m.Company.objects.filter(account=account, erp_state="synced").first()
    code = m.CostCode.objects.filter(project=project, standard_code__erp_state="synced").first()
    sender = Membership.objects.get(account=account, user__username="pm").user
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
    now = timezone.now()
    requests = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=c.pk,
            project=project,
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


def _start_workers(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "celery", "-A", "erp_portal", "worker", "-l", "warning",
        "--concurrency", "2", "-P", "prefork", "--without-gossip", "--without-mingle",
        "--without-heartbeat", "-n", f"bench-{os.getpid()}@%h",
    ]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def through_pipeline(count: int, env: dict[str, str]) -> float:
    """Exports per second with two worker processes, from enqueue to the last synced."""
    from approvals.export_tasks import enqueue
    from approvals.models import ExportRequest, RequestState

    _, ids = _accepted_requests(count)
    worker = _start_workers(env)
    try:
        time.sleep(4)  # let the worker boot before the clock starts
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
        return count / (time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def direct(count: int) -> float:
    """The sandbox connector called in a plain loop with the same payloads."""
    from approvals.models import ExportRequest
    from approvals.pipeline import payload_for
    from connectors.sandbox.connector import SandboxConnector

    _, ids = _accepted_requests(count)
    requests = list(ExportRequest.objects.filter(pk__in=ids))
    payloads = [payload_for(r) for r in requests]
    connector = SandboxConnector({"ledger": "bench-direct"})
    started = time.perf_counter()
    for request, payload in zip(requests, payloads, strict=True):
        connector.export("commitment", payload, f"direct:{request.pk}")
    return count / (time.perf_counter() - started)


def run(count: int, env: dict[str, str]) -> dict[str, Any]:
    pipeline_rate = through_pipeline(count, env)
    direct_rate = direct(count)
    return {
        "exports": count,
        "database": connection.vendor,
        "broker": settings.CELERY_BROKER_URL.split("://")[0],
        "pipeline_exports_per_s": round(pipeline_rate, 1),
        "direct_exports_per_s": round(direct_rate, 1),
        "pipeline_to_direct_ratio": round(pipeline_rate / direct_rate, 3),
    }
