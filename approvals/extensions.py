"""What the workflow adds to the records' pages: the ERP section of an exportable record's
page, and the two export queues in the tool's menu (registered from ``AppConfig.ready``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from approvals import dashboard
from approvals.selectors import decidable_types, failed_count, overview, pending_count
from approvals.workflow import item_workflow
from integrations.kinds import is_exportable
from integrations.web.extensions import (
    OVERVIEW,
    ListPanel,
    NavTab,
    Panel,
    register_list_panel,
    register_panel,
    register_tab,
)
from permissions.policy import Action
from tenancy.models import Account


def _workflow_panel(
    request: HttpRequest, account: Account, record: Model
) -> Mapping[str, Any] | None:
    if not is_exportable(record):
        return None
    return {"workflow": item_workflow(request.user, account, record)}


def _overview_panel(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    # A sender who does not decide has their rejected items on their own panel
    # (``_dashboard_mine.html``); only those who decide get the link among the counts.
    decides = bool(decidable_types(request.user, account))
    return {"overview": overview(request.user, account), "decides": decides}


def _mine_panel(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    mine = dashboard.my_items(request.user, account)
    return None if mine is None else {"mine": mine}


def _waiting_panel(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    waiting = dashboard.oldest_waiting(request.user, account)
    return None if waiting is None else {"waiting": waiting}


def _failures_panel(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    failures = dashboard.newest_failures(request.user, account)
    return None if failures is None else {"failures": failures}


def _health_panel(request: HttpRequest, account: Account) -> Mapping[str, Any] | None:
    health = dashboard.health(request.user, account)
    return None if health is None else {"health": health}


def register() -> None:
    register_tab(
        NavTab(
            "ready-to-export",
            "Ready to Export",
            "export-queue",
            Action.VIEW_ERP_TOOL,
            count=pending_count,
        )
    )
    register_tab(
        NavTab(
            "failed-to-export",
            "Failed to Export",
            "export-failed",
            Action.VIEW_ERP_TOOL,
            count=failed_count,
        )
    )
    # The overview's dashboard, in the order it shows: a sender's own items to fix first.
    on_overview = frozenset({OVERVIEW})
    register_list_panel(ListPanel(on_overview, "approvals/_dashboard_mine.html", _mine_panel))
    register_list_panel(ListPanel(on_overview, "approvals/_overview.html", _overview_panel))
    register_list_panel(ListPanel(on_overview, "approvals/_dashboard_waiting.html", _waiting_panel))
    register_list_panel(
        ListPanel(on_overview, "approvals/_dashboard_failures.html", _failures_panel)
    )
    register_list_panel(ListPanel(on_overview, "approvals/_dashboard_health.html", _health_panel))
    register_panel(Panel("approvals/_item_workflow.html", _workflow_panel, shows_erp_state=True))
