"""What syncs add to the tool's pages (registered from ``AppConfig.ready``): the *Ready to
Import* tab, a sync bar above the record lists a kind of sync fills (*Refresh companies list*
on Companies, *Sync payments* on Invoices, ...), a project's job-to-date costs with *Sync job
costs*, and an invoice's payments with its paid to date and balance."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from erp.connections import connector_class_for
from integrations.audit_words import register_state_labels, register_value_labels
from integrations.models import OwnerInvoice, Project, SubcontractorInvoice
from integrations.web.extensions import (
    OVERVIEW,
    ListPanel,
    NavTab,
    Panel,
    register_list_panel,
    register_panel,
    register_tab,
)
from permissions.access import can
from permissions.policy import Action
from syncs import selectors
from syncs.dashboard import syncs_panel
from syncs.kinds import kinds, sync_kind
from syncs.models import Every, RunState, StagedRecord, StagedStatus, Trigger
from syncs.views import bar_context
from tenancy.models import Account

# The record lists that show the sync bar of a kind: (kind of sync, record list keys).
BARS: tuple[tuple[str, frozenset[str]], ...] = (
    ("vendors", frozenset({"companies"})),
    ("jobs", frozenset({"projects"})),
    ("sub_jobs", frozenset({"sub-jobs"})),
    ("prime_contracts", frozenset({"prime-contracts"})),
    ("budgets", frozenset({"budgets"})),
    ("standard_cost_codes", frozenset({"standard-cost-codes", "cost-types"})),
    ("job_cost_transactions", frozenset({"job-cost-transactions"})),
    ("payments", frozenset({"payments", "subcontractor-invoices", "owner-invoices"})),
)


def staged_count(account: Account) -> int:
    return StagedRecord.objects.filter(
        account=account, parent=None, status=StagedStatus.STAGED
    ).count()


def _bar(key: str) -> Callable[[HttpRequest, Account], Mapping[str, Any] | None]:
    def context(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
        kind = sync_kind(key)
        if not kind.fetches_of(connector_class_for(account)):
            return None
        if not can(request.user, Action.VIEW_ERP_TOOL, account):
            return None
        return bar_context(request, account, kind)

    return context


def _job_costs(request: HttpRequest, account: Account, record: Model) -> Mapping[str, Any] | None:
    if not isinstance(record, Project) or not (record.sync_job_costs or record.origin_id):
        return None
    kind = sync_kind("job_cost_transactions")
    synced = bool(record.origin_id) and record.sync_job_costs
    return {
        "totals": selectors.job_to_date(record),
        "sync": kind,
        "project": record,
        "synced": synced,
        "run": selectors.last_run_of_project(account, kind.key, record),
        "may_sync": synced and can(request.user, kind.action, account, obj=record),
    }


def _payments(request: HttpRequest, account: Account, record: Model) -> Mapping[str, Any] | None:
    if not isinstance(record, SubcontractorInvoice | OwnerInvoice):
        return None
    paid = selectors.paid_to_date(record, record.payments.all())
    if not paid.payments and not record.origin_id:
        return None
    return {"paid": paid}


def _overview_syncs(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    panel = syncs_panel(request.user, account)
    return None if panel is None else {"syncs": panel}


def register() -> None:
    register_tab(
        NavTab(
            "ready-to-import",
            "Ready to Import",
            "ready-to-import",
            Action.VIEW_ERP_TOOL,
            count=staged_count,
        )
    )
    for key, lists in BARS:
        register_list_panel(ListPanel(lists, "syncs/_sync_bar.html", _bar(key)))
    register_list_panel(
        ListPanel(frozenset({OVERVIEW}), "syncs/_overview_syncs.html", _overview_syncs)
    )
    register_panel(Panel("syncs/_job_costs_panel.html", _job_costs))
    register_panel(Panel("syncs/_payments_panel.html", _payments))
    _register_audit_words()


def _register_audit_words() -> None:
    """The Audit page's words for what sync rows store: a kind of sync ("Job cost
    transactions", not ``job_cost_transactions``), what started a run, a schedule's choice."""
    register_value_labels("kind", {kind.key: kind.label for kind in kinds()})
    register_value_labels("trigger", dict(Trigger.choices))
    register_value_labels("every", {**dict(Every.choices), Every.DAILY: "Daily"})
    register_state_labels("sync_run", dict(RunState.choices))
    register_state_labels("staged_record", dict(StagedStatus.choices))
