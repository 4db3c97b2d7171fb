"""What the workflow adds to the records' pages: the ERP section of an exportable record's
page, and the two export queues in the tool's menu (registered from ``AppConfig.ready``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from approvals.selectors import failed_count, item_workflow, overview, pending_count
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
    return {"overview": overview(request.user, account)}


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
    register_list_panel(
        ListPanel(frozenset({OVERVIEW}), "approvals/_overview.html", _overview_panel)
    )
    register_panel(Panel("approvals/_item_workflow.html", _workflow_panel, shows_erp_state=True))
