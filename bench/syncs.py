"""Job cost transactions imported from the sandbox ERP: rows per second, the importing process's
peak memory, a rerun with nothing new, and, in the same run, PostgreSQL's own ``COPY`` of the
same rows into the same table (its indexes and keys in place) as the baseline.

Each run uses an account and ledger of its own, so running it again measures the same work.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from django.db import connection

ROOT_DIR = Path(__file__).resolve().parent.parent

BATCH = 10_000  # records per fetched batch (the sandbox's fetch_batch_size setting)
COLUMNS = (
    "account_id, project_id, sub_job_id, cost_code_id, cost_type_id, vendor_id, source_type, "
    "source_document, transaction_date, reference_date, post_date, description, amount, "
    "origin_id, origin_code, origin_data, erp_state, erp_synced_at, created_at, updated_at"
)


def books() -> tuple[Any, str, Any]:
    """A fresh account whose ledger has the codes, types and vendors the portal already has
    (synced by a first cost code sync), and a synced project that takes job costs."""
    from connectors.sandbox import console
    from connectors.sandbox.seed import ensure_records
    from erp.connections import account_key, connection_for
    from integrations import models as m
    from syncs import runner
    from syncs.models import Trigger
    from syncs.services import sync_request
    from tenancy.models import Account

    slug = f"bench-sync-{uuid.uuid4().hex[:8]}"
    account = Account.objects.create(slug=slug, name="Bench Syncs")
    erp = connection_for(account)
    erp.settings = {**erp.settings, "fetch_batch_size": str(BATCH)}
    erp.save()
    ledger = account_key(account)
    types = (("L", "Labor"), ("M", "Material"), ("E", "Equipment"), ("S", "Subcontract"))
    ensure_records(ledger, "cost_type", [(f"CT-{c}", n, {"code": c, "name": n}) for c, n in types])
    console.cost_code_save(ledger, full_code="03", name="Concrete")
    for n in range(1, 10):
        console.cost_code_save(ledger, full_code=f"03-{n}00", name=f"Concrete work {n}")
    synced = {"erp_state": m.ErpState.SYNCED}
    for n in range(1, 6):
        number = f"V-{n:04d}"
        console.vendor_save(ledger, number=number, name=f"Vendor {n}")
        m.Company.objects.create(account=account, name=f"Vendor {n}", origin_id=number, **synced)
    console.job_save(ledger, number="J-BENCH", name="Bench job")
    project = m.Project.objects.create(
        account=account,
        number="B-1",
        name="Bench project",
        origin_id="J-BENCH",
        sync_job_costs=True,
        **synced,
    )
    run, _ = sync_request(account=account, kind="standard_cost_codes", trigger=Trigger.SCHEDULE)
    runner.execute(run.pk)
    return account, ledger, project


def _import_in_a_process(run_id: int, env: dict[str, str]) -> tuple[float, float]:
    """Run the sync in a process of its own (as a worker would): seconds (Python's start
    included), and its peak RSS in MB."""
    code = (
        f"import django; django.setup(); from syncs import runner; print(runner.execute({run_id}))"
    )
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT_DIR, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"the import process failed ({status})")
    return seconds, usage.ru_maxrss / 1024


def _copy_baseline(project_id: int) -> float | None:
    """Seconds PostgreSQL's ``COPY`` takes to load the project's rows back into the table."""
    if connection.vendor != "postgresql":
        return None
    table = "integrations_jobcosttransaction"
    with tempfile.TemporaryFile() as dump, connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY (SELECT {COLUMNS} FROM {table} WHERE project_id = {int(project_id)}) TO STDOUT"
        ) as copy:
            for chunk in copy:
                dump.write(chunk)
        cursor.execute(f"DELETE FROM {table} WHERE project_id = %s", [project_id])
        dump.seek(0)
        started = time.perf_counter()
        with raw.copy(f"COPY {table} ({COLUMNS}) FROM STDIN") as copy:
            while data := dump.read(1 << 20):
                copy.write(data)
        return time.perf_counter() - started


def run(count: int, env: dict[str, str]) -> dict[str, Any]:
    from connectors.sandbox import job_costs
    from integrations.models import JobCostTransaction
    from syncs import runner
    from syncs.models import SyncRun, Trigger
    from syncs.services import sync_request

    account, ledger, project = books()
    started = time.perf_counter()
    job_costs.generate_job_costs(ledger, "J-BENCH", count, seed=1)
    generated = time.perf_counter() - started

    run_, _ = sync_request(account=account, kind="job_cost_transactions", trigger=Trigger.SCHEDULE)
    process_s, peak_mb = _import_in_a_process(run_.pk, env)
    done = SyncRun.objects.get(pk=run_.pk)
    assert done.started_at is not None and done.finished_at is not None
    seconds = (done.finished_at - done.started_at).total_seconds()  # the run, not Python's start
    imported = JobCostTransaction.objects.filter(project=project).count()

    again, _ = sync_request(account=account, kind="job_cost_transactions", trigger=Trigger.SCHEDULE)
    started = time.perf_counter()
    runner.execute(again.pk)
    rerun = time.perf_counter() - started
    rerun_added = SyncRun.objects.get(pk=again.pk).created

    copy = _copy_baseline(project.pk)
    result: dict[str, Any] = {
        "rows": count,
        "generate_in_the_erp_s": round(generated, 1),
        "import_state": done.state,
        "imported_rows": imported,
        "import_s": round(seconds, 1),
        "import_process_s": round(process_s, 1),
        "import_rows_per_s": round(count / seconds),
        "import_peak_rss_mb": round(peak_mb),
        "rerun_nothing_new_s": round(rerun, 2),
        "rerun_added": rerun_added,
        "rerun_share_of_import": round(rerun / seconds, 4),
    }
    if copy is not None:
        result["postgres_copy_s"] = round(copy, 1)
        result["import_over_copy"] = round(seconds / copy, 2)
    return result
