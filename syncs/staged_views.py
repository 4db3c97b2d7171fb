"""*Ready to Import*: the ERP records the syncs staged, per type (Companies, Jobs, Sub Jobs,
Prime Contracts, Budgets), with their ERP fields and status, and each record's page with its
lines and its actions (:mod:`syncs.staged_actions`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from erp.connections import connection_for, connector_class_for
from integrations.web.views import PAGE_SIZE
from permissions.access import can
from permissions.policy import Action
from permissions.web import PolicyView
from syncs import selectors
from syncs import staged_actions as actions
from syncs.kinds import SyncKind, staged_kinds
from syncs.models import StagedRecord, StagedStatus
from syncs.views import bar_context

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
        page = Paginator(records.order_by("origin_code", "pk"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        params = request.GET.copy()
        params.pop("page", None)
        columns = COLUMNS[chosen.key]
        counts = selectors.staged_counts(self.account, connection)
        context = {
            "active_tab": "ready-to-import",
            "kinds": kinds,
            "chosen": chosen,
            "status": status,
            "statuses": statuses,
            "query": query,
            "page": page,
            "columns": columns,
            "rows": [(r, [r.data.get(key, "") for key, _ in columns]) for r in page.object_list],
            "type_tabs": [(k, counts.get(k.key, 0)) for k in kinds],
            "querystring": params.urlencode(),
            "on_ready_page": True,
            **bar_context(request, self.account, chosen),
        }
        return render(request, "syncs/ready_to_import.html", context)


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
            back = reverse("ready-to-import", kwargs={"account": self.account.slug})
            return redirect(f"{back}?type={staged.item_type}")
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
            "fields": [(h, staged.data.get(k)) for k, h in COLUMNS.get(staged.item_type, ())],
            "lines": list(staged.children.order_by("pk")),
            "errors": actions.messages_of(errors),
            **actions.context(self.request, self.account, staged),
        }
        return render(self.request, "syncs/staged_record.html", context, status=status)
