"""The syncs' report: *Archived Companies*, the ERP companies an ERP admin archived on Ready to
Import (the matrix's "View the Archived Companies List for ERP", Standard and up with Can Push
to Accounting), each with *Unarchive* for those who may archive companies."""

from __future__ import annotations

from django.urls import reverse

from erp.connections import connection_for
from integrations.reports import Column, Report, Run, Table, register
from permissions.access import can
from permissions.policy import Action
from syncs import selectors, staging
from syncs.models import StagedStatus


def archived_companies(run: Run) -> Table:
    account = run.account
    records = (
        selectors.staged_records(account, connection_for(account), run.user)
        .filter(item_type=selectors.ARCHIVED_LIST, status=StagedStatus.ARCHIVED)
        .order_by("name", "origin_code", "pk")
    )
    target = staging.TARGETS[selectors.ARCHIVED_LIST]
    may_unarchive = can(run.user, target.archive_action, account)
    rows = [
        {
            "name": record.name or record.data.get("name", ""),
            "origin_code": record.origin_code or record.origin_id,
            "city": record.data.get("city", ""),
            "archived": record.updated_at,
            "link": reverse("staged-record", kwargs={"account": account.slug, "record": record.pk}),
            "may_unarchive": may_unarchive,
        }
        for record in records
    ]
    columns = (
        Column("name", "Company"),
        Column("origin_code", "ERP code"),
        Column("city", "City"),
        Column("archived", "Archived", "date"),
    )
    empty = "No archived companies: every ERP company is in use or waiting."
    return Table(columns, rows, empty=empty)


def register_all() -> None:
    register(
        Report(
            "archived-companies",
            "Archived Companies",
            Action.VIEW_ARCHIVED_COMPANIES,
            "ERP companies archived on Ready to Import, with Unarchive.",
            archived_companies,
            template="syncs/reports/_archived_companies.html",
        )
    )
