"""The ERP pages: the connection (settings, secrets, test, pause), the log of every ERP call,
and what arrived in the sandbox ERP (its console, where one acts as the ERP's users, is
:mod:`erp.console_views`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from connectors.registry import connector_class
from connectors.sandbox.models import LEDGER_TABLES
from erp.connections import account_key, connection_for
from erp.forms import ConnectionForm
from erp.models import ErpCall
from erp.secrets import unseal
from erp.services import connection_configure, connection_set_paused, connection_test
from permissions.access import can
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.sorting import ORDERING, Sorting, sort

PAGE_SIZE = 50


class ConnectionView(PolicyView):
    """ERP admins choose the connector, set its settings, test it, and pause or resume it."""

    policy_action = Action.MANAGE_ERP_CONNECTION

    def form(self, data: Any = None, *, chosen: str = "") -> ConnectionForm:
        connection = connection_for(self.account)
        key = chosen or (data or {}).get("connector_key") or connection.connector_key
        try:
            connector = connector_class(key)
        except LookupError:
            connector = connector_class(connection.connector_key)
        stored = set(unseal(connection.secrets)) if key == connection.connector_key else set()
        initial = {
            "connector_key": key,
            **(
                ConnectionForm.initial_for(connector, connection.settings)
                if key == connection.connector_key
                else {}
            ),
        }
        return ConnectionForm(data, initial=initial, connector=connector, stored=stored)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return self.show(self.form())

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        action = request.POST.get("action", "save")
        if action == "choose":  # show another connector's settings, saving nothing yet
            return self.show(self.form(chosen=request.POST.get("connector_key", "")))
        if action == "test":
            problem = connection_test(account=self.account, actor=request.user)
            if problem:
                messages.error(request, f"The ERP did not accept the connection: {problem}")
            else:
                messages.success(request, "The ERP answered: the connection works.")
        elif action in ("pause", "resume"):
            connection_set_paused(
                account=self.account,
                actor=request.user,
                paused=action == "pause",
                reason=request.POST.get("reason", "").strip() or "Paused by an ERP admin.",
            )
            messages.success(
                request, "Exports are paused." if action == "pause" else "Exports resumed."
            )
        else:
            form = self.form(request.POST)
            if not form.is_valid():
                return self.show(form, status=400)
            values = form.values()
            try:
                connection_configure(
                    account=self.account,
                    actor=request.user,
                    connector_key=form.cleaned_data["connector_key"],
                    values=values,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
                return self.show(form, status=400)
            messages.success(request, "Connection saved.")
        return redirect("erp-connection", account=self.account.slug)

    def show(self, form: ConnectionForm, status: int = 200) -> HttpResponse:
        connection = connection_for(self.account)
        context = {
            "active_tab": "settings",
            "form": form,
            "connection": connection,
            "connector_label": _connector_label(connection.connector_key),
            "last_test": connection.calls.filter(action="test").order_by("-started_at").first(),
            "ledger": account_key(self.account),
        }
        return render(self.request, "erp/connection.html", context, status=status)


def _connector_label(key: str) -> str:
    try:
        return connector_class(key).label
    except LookupError:
        return key


# The log's columns; a click on a heading sorts by it (newest first when none is chosen).
LOG_SORTING = Sorting(
    columns=(
        ("started_at", "When"),
        ("action", "Call"),
        ("item", "Item"),
        ("attempt", "Attempt"),
        ("outcome", "Outcome"),
        ("answer", "ERP answer"),
        ("duration_ms", "ms"),
        ("worker", "Worker"),
    ),
    sortable={
        "started_at": "started_at",
        "action": "action",
        "item": "item_type",
        "attempt": "attempt",
        "outcome": "outcome",
        "duration_ms": "duration_ms",
        "worker": "worker",
    },
    numeric=frozenset({"attempt", "duration_ms"}),
)


class ErpLogView(PolicyView):
    """Every call made to the ERP, newest first, with filters (per item, per connection)."""

    policy_action = Action.VIEW_SYNC_LOGS

    FILTERS = ("outcome", "action", "item_type", "item_id", "connection", "resolved")

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        calls = ErpCall.objects.for_account(self.account)
        chosen = {name: request.GET.get(name, "").strip() for name in self.FILTERS}
        for name in ("outcome", "action", "item_type"):
            if chosen[name]:
                calls = calls.filter(**{name: chosen[name]})
        for name in ("item_id", "connection"):
            if chosen[name].isdigit():
                calls = calls.filter(
                    **{f"{name}_id" if name == "connection" else name: int(chosen[name])}
                )
        if chosen["resolved"] in ("yes", "no"):
            calls = calls.filter(resolved=chosen["resolved"] == "yes")
        if request.GET.get("errors") == "open":
            calls = calls.exclude(outcome__in=["", ErpCall.Outcome.SUCCESS]).filter(resolved=False)
            chosen["errors"] = "open"
        sorted_calls = sort(LOG_SORTING, request.GET, calls)
        page = Paginator(sorted_calls.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        filtered = params.copy()
        filtered.pop(ORDERING, None)
        context = {
            **sorted_calls,
            "active_tab": "erp-log",
            "page": page,
            "filtered": bool(filtered),
            "chosen": chosen,
            "outcomes": ErpCall.Outcome.choices,
            "actions": ["export", "update", "lookup", "test", "fetch", "unlink_check"],
            "querystring": params.urlencode(),
        }
        return render(request, "erp/log.html", context)


class SandboxLedgerView(PolicyView):
    """What arrived in the sandbox ERP (read only): the demo's way to see the loop close."""

    policy_action = Action.VIEW_ERP_TOOL

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        connection = connection_for(self.account)
        if connection.connector_key != "sandbox":
            raise Http404("This account's ERP is not the sandbox.")
        kinds = {str(table._meta.verbose_name_plural): table for table in LEDGER_TABLES}
        chosen = request.GET.get("kind") or "commitments"
        table = next((t for name, t in kinds.items() if name == chosen), None)
        if table is None:
            raise Http404("No such ledger table.")
        ledger = account_key(self.account)  # the account's own, whatever the settings hold
        rows = table._default_manager.filter(ledger=ledger).order_by("-id")
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "active_tab": "erp-log",
            "kinds": list(kinds),
            "chosen": chosen,
            "page": page,
            "ledger": ledger,
            "can_use_console": can(
                request.user, Action.MANAGE_ERP_CONNECTION, self.account, obj=None
            ),
        }
        return render(request, "erp/sandbox.html", context)
