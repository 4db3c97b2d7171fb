"""The demo's first syncs: what the ERP holds that the portal does not (vendors and jobs waiting
in Ready to Import, job costs of the synced projects, payments of the exported invoices) comes
in once at seed time, as the first scheduled runs would bring it; beat goes on from there."""

from __future__ import annotations

from erp.connections import connection_for, connector_class_for
from integrations import models as m
from syncs import runner
from syncs.kinds import kinds_for
from syncs.models import RunState, SyncRun, Trigger
from syncs.schedules import ensure_schedules
from syncs.services import sync_request
from tenancy.models import Account


def first_syncs(account: Account) -> list[SyncRun]:
    """Opt the synced projects in to job costs, make sure the schedules exist, and run each
    kind that never succeeded yet (in this process: the demo is ready when the command ends)."""
    m.Project.objects.filter(account=account, erp_state=m.ErpState.SYNCED).exclude(
        origin_id=None
    ).update(sync_job_costs=True)
    ensure_schedules(connection_for(account))
    done = set(
        SyncRun.objects.filter(account=account, state=RunState.SUCCEEDED).values_list(
            "kind", flat=True
        )
    )
    runs = []
    for kind in kinds_for(connector_class_for(account)):
        if kind.key in done:
            continue
        run, _ = sync_request(account=account, kind=kind.key, trigger=Trigger.SCHEDULE)
        runner.execute(run.pk)
        run.refresh_from_db()
        runs.append(run)
    return runs
