"""Places on the records' pages that the apps above add to by registration: a panel on a
record's page, a section above a record list, a tab in the tool's menu. The records' app does
not import those apps (the NetBox ``register_model_view`` habit): the acceptance workflow
registers its section of an exportable record's page and its queues' tabs from its
``AppConfig.ready``; syncs register their bars and panels the same way; the records' own cost
code pages register theirs too (:mod:`integrations.web.cost_codes`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from permissions.access import can
from permissions.policy import Action
from tenancy.models import Account


@dataclass(frozen=True)
class Panel:
    """A section of a record's page. ``context`` answers what the template needs, or None when
    the panel has nothing to say about this record (or this user)."""

    template: str
    context: Callable[[HttpRequest, Account, Model], Mapping[str, Any] | None]
    shows_erp_state: bool = False  # the panel says where the record stands with the ERP


@dataclass(frozen=True)
class NavTab:
    """A tab of the tool's menu, shown before the record tabs to those who may ``action``."""

    key: str
    label: str
    url_name: str
    action: Action
    count: Callable[[Account], int] | None = None


@dataclass(frozen=True)
class TabPage:
    """A page of one of the tool's record tabs besides its record lists (the Cost Codes tab's
    *Default Cost Types* grid): a sub tab next to the lists, for those who may ``action``; the
    menu tab leads to it when the user may see none of the tab's lists."""

    tab: str
    label: str
    url_name: str  # reversed with the account's slug only
    action: Action


@dataclass(frozen=True)
class ListPanel:
    """A section above a record list (of the kinds ``kinds``): ``context`` answers what the
    template needs, or None when there is nothing to show this user."""

    kinds: frozenset[str]
    template: str
    context: Callable[[HttpRequest, Account], Mapping[str, Any] | None]


@dataclass(frozen=True)
class ShownPanel:
    html: SafeString
    shows_erp_state: bool


# The key of the account's overview among ListPanel.kinds: a panel for it shows on the overview.
OVERVIEW = "overview"

_PANELS: list[Panel] = []
_TABS: list[NavTab] = []
_LIST_PANELS: list[ListPanel] = []
_TAB_PAGES: list[TabPage] = []


def register_panel(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def register_tab(tab: NavTab) -> None:
    if tab not in _TABS:
        _TABS.append(tab)


def register_list_panel(panel: ListPanel) -> None:
    if panel not in _LIST_PANELS:
        _LIST_PANELS.append(panel)


def register_tab_page(page: TabPage) -> None:
    if page not in _TAB_PAGES:
        _TAB_PAGES.append(page)


def list_panels_for(request: HttpRequest, account: Account, kind: str) -> list[SafeString]:
    shown = []
    for panel in _LIST_PANELS:
        context = panel.context(request, account) if kind in panel.kinds else None
        if context is not None:
            shown.append(SafeString(render_to_string(panel.template, context, request=request)))  # nosec B703  # a template's own escaped output
    return shown


def panels_for(request: HttpRequest, account: Account, record: Model) -> list[ShownPanel]:
    shown = []
    for panel in _PANELS:
        context = panel.context(request, account, record)
        if context is not None:
            html = render_to_string(panel.template, {"obj": record, **context}, request=request)
            shown.append(ShownPanel(SafeString(html), panel.shows_erp_state))  # nosec B703  # a template's own escaped output
    return shown


def tabs_for(user: Any, account: Account) -> list[NavTab]:
    return [tab for tab in _TABS if can(user, tab.action, account)]


def tab_pages_for(user: Any, account: Account, tab: str) -> list[TabPage]:
    return [page for page in _TAB_PAGES if page.tab == tab and can(user, page.action, account)]
