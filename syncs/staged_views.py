"""*Ready to Import*: the ERP records the syncs staged, per type (Companies, Jobs, Sub Jobs,
Prime Contracts, Budgets), with their ERP fields and status, and each record's page with its
lines and its actions (:mod:`syncs.staged_actions`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme

from erp.connections import connection_for, connector_class_for
from integrations.web.views import PAGE_SIZE
from permissions.access import can
from permissions.policy import Action
from permissions.web import PolicyView
from syncs import selectors, staging
from syncs import staged_actions as actions
from syncs.kinds import SyncKind, staged_kinds
from syncs.models import StagedRecord, StagedStatus
from syncs.views import bar_context
from tenancy.models import Account
from tenancy.sorting import Sorting, sort

# The ERP fields each type shows as columns: (key in ``data``, heading).
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "vendors": (("name", "Name"), ("city", "City"), ("state_code", "State"), ("tax_id", "Tax id")),
    "jobs": (
        ("name", "Name"),
        ("city", "City"),
        ("start_date", "Start"),
        ("estimated_value", "Value"),
    ),
    "sub_jobs": (("code", "Code"), ("name", "Name"), ("job", "ERP job")),
    "prime_contracts": (("title", "Title"), ("job", "ERP job"), ("status", "ERP status")),
    "budgets": (("name", "Name"), ("job", "ERP job")),
}
STATUSES = (*StagedStatus.choices, ("all", "All"))
MONEY = frozenset({"estimated_value"})  # the ERP fields that are amounts


def shown(key: str, value: Any) -> Any:
    """An ERP field as the portal shows it: amounts with separators and two decimals, dates
    in the portal's date style; anything else, or what does not read as its type, as sent."""
    try:
        if key in MONEY and value not in (None, ""):
            return intcomma(f"{Decimal(str(value)):.2f}")
        if key.endswith("_date") and isinstance(value, str) and value:
            return date_format(dt.date.fromisoformat(value))
        if key.endswith("_at") and isinstance(value, str) and value:
            return date_format(dt.datetime.fromisoformat(value))  # the ERP's clock: its day
    except (InvalidOperation, ValueError):
        return value
    return value


def sorting(columns: tuple[tuple[str, str], ...]) -> Sorting:
    """Ready to Import's columns: the ERP number, the type's ERP fields, the status and when
    the ERP changed it; each sorts by a click on its heading except amounts (the ERP's fields
    are kept as sent, as text, which would sort "9" after "10")."""
    fields = {key: "name" if key == "name" else f"data__{key}" for key, _ in columns}
    return Sorting(
        columns=(
            ("origin_code", "ERP number"),
            *columns,
            ("status", "Status"),
            ("changed_at", "Changed in the ERP"),
        ),
        sortable={
            "origin_code": "origin_code",
            **{key: path for key, path in fields.items() if key not in MONEY},
            "status": "status",
            "changed_at": "changed_at",
        },
    )


def _kinds(view: PolicyView) -> list[SyncKind]:
    connector = connector_class_for(view.account)
    return [k for k in staged_kinds() if k.fetches_of(connector)]


class ReadyToImportView(PolicyView):
    policy_action = Action.VIEW_ERP_TOOL

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        kinds = _kinds(self)
        if not kinds:
            raise Http404("This ERP sends no records to import.")
        chosen = next((k for k in kinds if k.key == request.GET.get("type")), kinds[0])
        statuses = STATUSES
        if chosen.key == selectors.ARCHIVED_LIST and not can(
            request.user, Action.VIEW_ARCHIVED_COMPANIES, self.account
        ):
            statuses = tuple(x for x in STATUSES if x[0] != StagedStatus.ARCHIVED)
        status = request.GET.get("status") or StagedStatus.STAGED
        if status not in dict(statuses):
            status = StagedStatus.STAGED
        query = request.GET.get("q", "").strip().replace("\x00", "")
        connection = connection_for(self.account)
        records = selectors.staged_records(self.account, connection, request.user)
        records = records.filter(item_type=chosen.key)
        if status != "all":
            records = records.filter(status=status)
        if query:
            records = selectors.search_staged(records, query)
        columns = COLUMNS[chosen.key]
        listed = sort(sorting(columns), request.GET, records.order_by("origin_code", "pk"))
        page = Paginator(listed.pop("rows"), PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        counts = selectors.staged_counts(self.account, connection)
        context = {
            **listed,
            "active_tab": "ready-to-import",
            "kinds": kinds,
            "chosen": chosen,
            "status": status,
            "statuses": statuses,
            "query": query,
            "page": page,
            "columns": columns,
            "rows": [
                (
                    r,
                    [shown(key, r.data.get(key, "")) for key, _ in columns],
                    shown("changed_at", r.changed_at),
                )
                for r in page.object_list
            ],
            "type_tabs": [(k, counts.get(k.key, 0)) for k in kinds],
            "querystring": params.urlencode(),
            "on_ready_page": True,
            **self.bulk_context(chosen.key, status),
            **bar_context(request, self.account, chosen),
        }
        return render(request, "syncs/ready_to_import.html", context)

    def bulk_context(self, item_type: str, status: str) -> dict[str, Any]:
        """The bulk actions the user may take on the waiting records of this type."""
        target = staging.TARGETS.get(item_type)
        if target is None or status != StagedStatus.STAGED:
            return {"bulk": {}}
        user = self.request.user
        bulk = {
            "add": not target.choices and can(user, target.add, self.account),
            "archive": can(user, target.archive_action, self.account),
            "link": target.linkable is not None and can(user, target.link_action, self.account),
        }
        return {"bulk": bulk if any(bulk.values()) else {}, "target": target}

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        """*Add selected* or *Archive selected*: each record on its own; what was refused is
        said record by record."""
        act = request.POST.get("action", "")
        item_type = request.POST.get("type", "")
        back = list_url(self.account, item_type)
        if act not in ("add", "archive"):
            messages.error(request, "Choose what to do with the selected records.")
            return redirect(back)
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        connection = connection_for(self.account)
        chosen = selectors.staged_records(self.account, connection, request.user).filter(
            item_type=item_type, pk__in=ids
        )
        if not ids or not chosen:
            messages.error(request, "Select the records first.")
            return redirect(back)
        done, refused = actions.run_many(act, request.user, self.account, list(chosen))
        _report(request, done, refused)
        return redirect(back)


def list_url(account: Account, item_type: str) -> str:
    """Ready to Import, on the records of ``item_type``."""
    base = reverse("ready-to-import", kwargs={"account": account.slug})
    return f"{base}?{urlencode({'type': item_type})}"


def _report(request: HttpRequest, done: list[str], refused: list[str]) -> None:
    if done:
        messages.success(request, f"{len(done)} done: " + " ".join(done))
    for problem in refused:
        messages.error(request, problem)


class LinkSuggestedView(PolicyView):
    """*Link all suggested*: the waiting records of one type whose best match is confident, to
    review (each can be unticked) before they are linked."""

    policy_action = Action.VIEW_ERP_TOOL

    def setup_type(self, item_type: str) -> staging.Target:
        target = staging.TARGETS.get(item_type)
        if target is None:
            raise Http404("Records of this type are not linked.")
        if target.linkable is None:
            raise Http404("Records of this type are imported, not linked.")
        self.check_policy(target.link_action, None)
        return target

    def records(self, item_type: str) -> Any:
        connection = connection_for(self.account)
        records = selectors.staged_records(self.account, connection, self.request.user)
        return records.filter(item_type=item_type)

    def get(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        item_type = request.GET.get("type") or "vendors"
        target = self.setup_type(item_type)
        context = {
            "active_tab": "ready-to-import",
            "target": target,
            "item_type": item_type,
            "label": staging_label(item_type),
            "proposals": actions.confident_links(self.account, self.records(item_type)),
        }
        return render(request, "syncs/link_suggested.html", context)

    def post(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        item_type = request.POST.get("type", "")
        self.setup_type(item_type)
        pairs = {}
        for value in request.POST.getlist("link"):
            staged_id, _, target_id = value.partition(":")
            if staged_id.isdigit() and target_id.isdigit():
                pairs[int(staged_id)] = int(target_id)
        chosen = list(self.records(item_type).filter(pk__in=pairs))
        done, refused = actions.run_many(
            "link", request.user, self.account, chosen, lambda r: {"target": pairs[r.pk]}
        )
        _report(request, done, refused)
        return redirect(list_url(self.account, item_type))


def staging_label(item_type: str) -> str:
    kind = next((k for k in staged_kinds() if k.key == item_type), None)
    return kind.label if kind else item_type


class StagedRecordView(PolicyView):
    """One staged record: its ERP fields and lines, and what may be done with it (add it to the
    portal, link it to a record the portal has, with suggestions; archive it or bring it back).
    A refused action shows its reason on the page, in place."""

    policy_action = Action.VIEW_ERP_TOOL

    def get(self, request: HttpRequest, record: int, **kwargs: Any) -> HttpResponse:
        return self.show(self.staged(record))

    def post(self, request: HttpRequest, record: int, **kwargs: Any) -> HttpResponse:
        staged = self.staged(record)
        act, user = request.POST.get("action", ""), request.user
        try:
            done = actions.run(act, user, self.account, staged, request.POST)
        except ValidationError as exc:
            return self.show(staged, errors=exc, status=400)
        messages.success(request, done)
        if act == "archive":  # back to the list it left (the archived list is not everyone's)
            return redirect(list_url(self.account, staged.item_type))
        back = request.POST.get("next", "")
        if act == "unarchive" and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
            return redirect(back)  # the Archived Companies report it was unarchived from
        return redirect("staged-record", account=self.account.slug, record=staged.pk)

    def staged(self, pk: int) -> StagedRecord:
        connection = connection_for(self.account)
        records = selectors.staged_records(self.account, connection, self.request.user)
        return get_object_or_404(records, pk=pk)

    def show(
        self, staged: StagedRecord, errors: ValidationError | None = None, status: int = 200
    ) -> HttpResponse:
        kind = next((k for k in _kinds(self) if k.key == staged.item_type), None)
        context = {
            "active_tab": "ready-to-import",
            "record": staged,
            "kind": kind,
            "fields": [
                (h, shown(k, staged.data.get(k))) for k, h in COLUMNS.get(staged.item_type, ())
            ],
            "lines": list(staged.children.order_by("pk")),
            "errors": actions.messages_of(errors),
            **actions.context(self.request, self.account, staged),
        }
        return render(self.request, "syncs/staged_record.html", context, status=status)
