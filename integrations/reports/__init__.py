"""The reports: each a read of the account's records as a :class:`Table`, narrowed by the policy.

One registry (:func:`register`, :func:`reports`): the pages, their CSV and PDF files and the API
all read it, and the apps above this one add theirs from ``AppConfig.ready`` (the archived
companies list is the syncs app's). A report is run at the company level, at a project's level,
or both, as its row of the matrix says (:class:`Level`); :func:`may_open` is the one answer to
who may run which report where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from integrations.models import Project
from permissions.access import can
from permissions.policy import Action
from tenancy.models import Account


class Level(StrEnum):
    COMPANY = "company"
    PROJECT = "project"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text, money, percent, date, list (a list of texts), bool

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "percent")


@dataclass
class Table:
    """A report's rows as plain values by column key: what its page, CSV, PDF and API show.
    Rows may hold more than their columns: what only the page shows (``link``, ``fixes``)."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None  # the totals row, by column key
    empty: str = "Nothing to show."  # what the page and the PDF say when there are no rows
    extra: dict[str, Any] = field(default_factory=dict)  # what the page's template adds


@dataclass(frozen=True)
class Run:
    """One run of a report: by whom, on what."""

    user: Any
    account: Account
    level: Level
    project: Project | None  # the project (project level) or the job filter (company level)


@dataclass(frozen=True)
class Report:
    key: str  # URL segment of its pages and API resource
    title: str
    action: Action  # its row of the matrix
    about: str
    build: Callable[[Run], Table]
    levels: frozenset[Level] = frozenset({Level.COMPANY})
    template: str = "integrations/reports/_table.html"  # the page's body
    job_filter: bool = False  # the company level offers a Job filter

    @property
    def per_project(self) -> bool:
        return Level.COMPANY not in self.levels


_REPORTS: dict[str, Report] = {}


def register(report: Report) -> None:
    _REPORTS.setdefault(report.key, report)


def reports() -> list[Report]:
    return list(_REPORTS.values())


def report_named(key: str) -> Report:
    found = _REPORTS.get(key)
    if found is None:
        raise LookupError(f"No report {key!r}.")
    return found


def may_open(user: Any, account: Account, report: Report, level: Level, project: Any) -> bool:
    """At the company level the report's row is asked of the account (a job filter changes
    nothing); at a project's level, of that project, with the seed's extra requirements there."""
    if level not in report.levels:
        return False
    if level == Level.COMPANY:
        return can(user, report.action, account)
    return project is not None and can(user, report.action, account, project=project)


def available(user: Any, account: Account) -> list[Report]:
    """The reports of the account's index ``user`` may open: company ones they may run, and
    project ones they may run on some project."""
    return [r for r in reports() if can(user, r.action, account)]


def for_project(user: Any, account: Account, project: Project) -> list[Report]:
    """The reports ``user`` may run on ``project`` (its page's Reports section)."""
    return [r for r in reports() if may_open(user, account, r, Level.PROJECT, project)]


def projects_for(user: Any, account: Account, report: Report, level: Level) -> list[Project]:
    """The projects to choose from: every project for a company report's Job filter, and for a
    project report those the user may run it on."""
    projects = list(Project.objects.for_account(account).order_by("number"))
    if level == Level.COMPANY:
        return projects if report.job_filter else []
    return [p for p in projects if may_open(user, account, report, Level.PROJECT, p)]


def run(report: Report, run: Run) -> Table:
    return report.build(run)


def money_total(rows: list[dict[str, Any]], key: str) -> Decimal:
    return sum((row[key] or Decimal(0) for row in rows), Decimal("0.00"))


__all__ = [
    "Column",
    "Level",
    "Report",
    "Run",
    "Table",
    "available",
    "for_project",
    "may_open",
    "money_total",
    "projects_for",
    "register",
    "report_named",
    "reports",
    "run",
]
