"""The kinds of sync: one registry, read by the engine, the schedules, the pages and the API.

A kind names what the ERP admin sees (``label``, the ``button`` that syncs it now and who may
press it), which connector kinds it fetches, in order (``fetches``), how a batch lands
(its ``applier``: staged records or records synced directly), whether it is fetched per project
(``per_project``: one cursor per job of the projects that take it), and its default schedule
(Procore's: company-level kinds hourly, project-level every 2 hours, payments daily).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from connectors.base import Connector
from connectors.imports import FetchKind
from permissions.policy import Action
from syncs.appliers import cost_codes, job_costs, payments, staged
from syncs.appliers.base import Applier
from syncs.models import Every

F = FetchKind


class Level(StrEnum):
    COMPANY = "company"
    PROJECT = "project"


@dataclass(frozen=True)
class SyncKind:
    key: str
    label: str
    fetches: tuple[str, ...]
    applier: Applier
    action: Action  # who may sync it now
    button: str
    level: Level = Level.COMPANY
    staged: bool = False
    per_project: bool = False
    every: Every = Every.HOURLY
    at: dt.time | None = None

    def fetches_of(self, connector: type[Connector]) -> tuple[str, ...]:
        """The kinds of this sync that ``connector`` sends (empty: it cannot sync this)."""
        declared = connector.capabilities.fetches
        return tuple(kind for kind in self.fetches if kind in declared)


def _staged(key: F, label: str, action: Action, button: str, level: Level) -> SyncKind:
    every = Every.HOURLY if level == Level.COMPANY else Every.EVERY_2_HOURS
    return SyncKind(
        key, label, (key,), Applier(staged.apply), action, button, level, staged=True, every=every
    )


KINDS: tuple[SyncKind, ...] = (
    SyncKind(
        F.STANDARD_COST_CODES,
        "Standard cost codes",
        (F.COST_TYPES, F.STANDARD_COST_CODES),
        Applier(cost_codes.apply),
        Action.REFRESH_PROJECT_COST_CODES,
        "Sync standard cost codes",
    ),
    _staged(
        F.VENDORS, "Companies", Action.REFRESH_COMPANIES, "Refresh companies list", Level.COMPANY
    ),
    _staged(F.JOBS, "Jobs", Action.ADD_ERP_JOB, "Refresh job list", Level.COMPANY),
    _staged(F.SUB_JOBS, "Sub jobs", Action.IMPORT_SUB_JOB, "Refresh sub jobs", Level.PROJECT),
    _staged(
        F.PRIME_CONTRACTS,
        "Prime contracts",
        Action.IMPORT_PRIME_CONTRACT,
        "Refresh prime contracts",
        Level.PROJECT,
    ),
    _staged(F.BUDGETS, "Budgets", Action.IMPORT_BUDGET, "Refresh budgets", Level.PROJECT),
    SyncKind(
        F.JOB_COST_TRANSACTIONS,
        "Job cost transactions",
        (F.JOB_COST_TRANSACTIONS,),
        Applier(job_costs.write, job_costs.prepare),
        Action.SYNC_JOB_COST_TRANSACTIONS,
        "Sync job costs",
        Level.PROJECT,
        per_project=True,
        every=Every.EVERY_2_HOURS,
    ),
    SyncKind(
        F.PAYMENTS,
        "Payments",
        (F.PAYMENTS,),
        Applier(payments.apply),
        Action.SYNC_PAID_INVOICES,
        "Sync payments",
        every=Every.DAILY,
        at=dt.time(2, 0),
    ),
)
_BY_KEY = {kind.key: kind for kind in KINDS}


def kinds() -> tuple[SyncKind, ...]:
    return KINDS


def sync_kind(key: str) -> SyncKind:
    """The kind ``key``; KeyError when there is none."""
    return _BY_KEY[key]


def kinds_for(connector: type[Connector]) -> tuple[SyncKind, ...]:
    """The kinds ``connector`` can sync (it sends at least one of their fetches)."""
    return tuple(kind for kind in KINDS if kind.fetches_of(connector))


def staged_kinds() -> tuple[SyncKind, ...]:
    return tuple(kind for kind in KINDS if kind.staged)
