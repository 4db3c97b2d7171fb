"""The overview's *Syncs* panel: each kind of sync the account's ERP sends, with its last run
(when, how it ended, what it brought) and its next scheduled run, in four queries whatever the
number of runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from connectors.registry import connector_class
from erp.models import ErpConnection
from permissions.access import can
from permissions.policy import Action
from syncs.kinds import SyncKind, kinds_for
from syncs.models import SyncRun, SyncSchedule
from syncs.schedules import next_runs
from syncs.selectors import last_runs
from tenancy.models import Account


@dataclass(frozen=True)
class SyncRow:
    kind: SyncKind
    last: SyncRun | None
    next: dt.datetime | None  # None: not scheduled


@dataclass(frozen=True)
class SyncsPanel:
    rows: list[SyncRow]
    may_configure: bool  # the schedules page
    time_zone: str


def syncs_panel(user: Any, account: Account) -> SyncsPanel | None:
    """For those who may view the sync logs; None too when no ERP connection is set up."""
    if not can(user, Action.VIEW_SYNC_LOGS, account):
        return None
    connection = ErpConnection.objects.filter(account=account).first()
    if connection is None:
        return None
    try:
        kinds = kinds_for(connector_class(connection.connector_key))
    except LookupError:
        return None
    schedules = {
        s.kind: s
        for s in SyncSchedule.objects.filter(connection=connection).select_related("periodic_task")
    }
    last = last_runs(account, [kind.key for kind in kinds])
    rows = []
    for kind in kinds:
        schedule = schedules.get(kind.key)
        upcoming = next_runs(schedule, account, count=1) if schedule else []
        rows.append(SyncRow(kind, last.get(kind.key), upcoming[0] if upcoming else None))
    return SyncsPanel(
        rows=rows,
        may_configure=can(user, Action.CONFIGURE_SYNC_SCHEDULE, account),
        time_zone=account.time_zone,
    )
