"""Reads: the records a user may see, shaped for lists and pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from integrations.kinds import TABS, Kind, kinds, kinds_in_tab
from integrations.models import ErpState
from integrations.reports import available as reports_available
from integrations.web.extensions import tab_pages_for, tabs_for
from permissions.access import can, restrict
from permissions.policy import Action
from tenancy.models import Account

EXPORT_STATES = (
    ErpState.PENDING,
    ErpState.ACCEPTED,
    ErpState.FAILED,
    ErpState.REJECTED,
    ErpState.SYNCED,
)


def tab_counts(user: Any, account: Account) -> list[dict[str, Any]]:
    """For the account's home page: each kind of record the user may see, with its count and
    how many of its records wait in each ERP state (one query per kind)."""
    tiles = []
    for kind in kinds():
        if kind.web is None or not can(user, Action.VIEW_RECORDS, account, obj=kind.model):
            continue
        queryset = restrict(kind.model._default_manager.all(), user, account)
        counts: dict[str, Any] = {"total": Count("pk")}
        if hasattr(kind.model, "erp_state"):
            # A kind that is never sent (it only comes from the ERP) has no export states.
            states = EXPORT_STATES if kind.erp is not None else (ErpState.SYNCED,)
            for state in states:
                counts[state.value] = Count("pk", filter=Q(erp_state=state))
        tile = {"kind": kind, "sent": kind.erp is not None, **queryset.aggregate(**counts)}
        tiles.append({**tile, "origins": origins(kind, tile)})
    return tiles


def origins(kind: Kind, counts: dict[str, Any]) -> list[tuple[str, str]]:
    """Where the records of a kind that is never sent come from, in words: "4 from the ERP"
    where the ERP brings them, "2 created in the portal" where people create them (direct
    costs: only that). Empty for kinds sent through accounting acceptance (their tile counts
    the export states). Each with its state's mark: synced, or never sent (unsent)."""
    synced = counts.get(ErpState.SYNCED.value)
    if kind.erp is not None or synced is None:
        return []
    created_here = kind.creatable and kind.web is not None and kind.web.editable
    here = counts["total"] - synced
    found = []
    if synced or not created_here:
        found.append((f"{synced} from the ERP", "synced"))
    if created_here and (here or not synced):
        found.append((f"{here} created in the portal", "unsent"))
    return found


def visible_tabs(user: Any, account: Account) -> list[dict[str, str]]:
    """The tool's tabs the user may open, each linking to its first record list they may see
    (else to another page of the tab); first the tabs other apps register (the export queues,
    with how many items wait) and the ERP log, for those who may open them."""
    kwargs = {"account": account.slug}
    tabs = [
        {
            "key": tab.key,
            "label": tab.label,
            "count": str(tab.count(account)) if tab.count else "",
            "url": reverse(tab.url_name, kwargs=kwargs),
        }
        for tab in tabs_for(user, account)
    ]
    if can(user, Action.VIEW_SYNC_LOGS, account):
        tabs.append(
            {"key": "erp-log", "label": "ERP Log", "url": reverse("erp-log", kwargs=kwargs)}
        )
    for key, label in TABS:
        url = _first_page_of_tab(user, account, key)
        if url:  # the menu groups the record tabs under "Records"
            tabs.append({"key": key, "label": label, "url": url, "group": "records"})
    if reports_available(user, account):  # no tab that opens on "No reports"
        tabs.append(
            {"key": "reports", "label": "Reports", "url": reverse("reports", kwargs=kwargs)}
        )
    for key, label, name, action in (
        ("settings", "Settings", "account-settings", Action.CONFIGURE_ADVANCED_SETTINGS),
        ("directory", "Directory", "directory", Action.MANAGE_DIRECTORY),
        ("audit", "Audit", "audit-trail", Action.VIEW_AUDIT_TRAIL),
    ):
        if can(user, action, account):
            tabs.append({"key": key, "label": label, "url": reverse(name, kwargs=kwargs)})
    return tabs


def _first_page_of_tab(user: Any, account: Account, tab: str) -> str:
    """The first record list of the tab the user may see, else its first other page they may
    open (an ERP user without rights on the records still reaches the cost type grid), else
    ""."""
    for kind in kinds_in_tab(tab):
        if can(user, Action.VIEW_RECORDS, account, obj=kind.model):
            return reverse("record-list", kwargs={"account": account.slug, "kind": kind.key})
    for page in tab_pages_for(user, account, tab):
        return reverse(page.url_name, kwargs={"account": account.slug})
    return ""
