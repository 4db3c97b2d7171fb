"""Reads: the records a user may see, shaped for lists and pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tenancy.models import Account


def accounts_for(user: Any) -> QuerySet[Account]:
    """The accounts the user belongs to (all of them, for a superuser)."""
    if user.is_superuser:
        return Account.objects.all()
    return Account.objects.filter(memberships__user=user, memberships__is_active=True)


def tab_counts(user: Any, account: Account) -> list[dict[str, Any]]:
    """For the account's home page: each record type the user may see, with its count and how
    many of its records wait in each ERP state (one query per record type)."""
    from django.db.models import Count, Q

    from integrations.models import ErpState
    from integrations.web.registry import RECORD_TYPES
    from permissions.access import can, restrict
    from permissions.policy import Action

    tiles = []
    for rt in RECORD_TYPES:
        if not can(user, Action.VIEW_RECORDS, account, obj=rt.model):
            continue
        queryset = restrict(rt.model._default_manager.all(), user, account)
        counts: dict[str, Any] = {"total": Count("pk")}
        if hasattr(rt.model, "erp_state"):
            for state in (ErpState.PENDING, ErpState.FAILED, ErpState.SYNCED):
                counts[state.value] = Count("pk", filter=Q(erp_state=state))
        tiles.append({"record_type": rt, **queryset.aggregate(**counts)})
    return tiles


def visible_tabs(user: Any, account: Account) -> list[dict[str, str]]:
    """The tool's tabs the user may open, each linking to its first record list they may see;
    first the export queues (with how many items wait), for those who may open the ERP tool."""
    from django.urls import reverse

    from integrations.web.registry import TABS, types_in_tab
    from permissions.access import can
    from permissions.policy import Action

    tabs = []
    if can(user, Action.VIEW_ERP_TOOL, account):
        from approvals.selectors import pending_count

        kwargs = {"account": account.slug}
        tabs += [
            {
                "key": "ready-to-export",
                "label": "Ready to Export",
                "count": str(pending_count(account)),
                "url": reverse("export-queue", kwargs=kwargs),
            },
            {
                "key": "failed-to-export",
                "label": "Failed to Export",
                "url": reverse("export-failed", kwargs=kwargs),
            },
        ]
        if can(user, Action.VIEW_SYNC_LOGS, account):
            tabs.append(
                {"key": "erp-log", "label": "ERP Log", "url": reverse("erp-log", kwargs=kwargs)}
            )
    for key, label in TABS:
        for rt in types_in_tab(key):
            if can(user, Action.VIEW_RECORDS, account, obj=rt.model):
                url = reverse("record-list", kwargs={"account": account.slug, "kind": rt.key})
                tabs.append({"key": key, "label": label, "url": url})
                break
    for key, label, name, action in (
        ("reports", "Reports", "reports", None),
        ("settings", "Settings", "account-settings", Action.CONFIGURE_ADVANCED_SETTINGS),
        ("directory", "Directory", "directory", Action.MANAGE_DIRECTORY),
    ):
        if action is None or can(user, action, account):
            tabs.append(
                {"key": key, "label": label, "url": reverse(name, kwargs={"account": account.slug})}
            )
    return tabs
