"""*Ready to Import*: the ERP records the syncs staged, per type (Companies, Jobs, Sub Jobs,
Prime Contracts, Budgets), with their ERP fields and status, and each record's page with its
lines. Read-only here: adding, linking and archiving come with the import actions."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from erp.connections import connection_for, connector_class_for
from integrations.web.views import PAGE_SIZE
from permissions.policy import Action
from permissions.web import PolicyView
from syncs import selectors
from syncs.kinds import SyncKind, staged_kinds
from syncs.models import StagedStatus
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
        status = request.GET.get("status") or StagedStatus.STAGED
        if status not in dict(STATUSES):
            status = StagedStatus.STAGED
        query = request.GET.get("q", "").strip().replace("\x00", "")
        connection = connection_for(self.account)
        records = selectors.staged_records(self.account, connection).filter(item_type=chosen.key)
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
            "statuses": STATUSES,
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
    policy_action = Action.VIEW_ERP_TOOL

    def get(self, request: HttpRequest, record: int, **kwargs: Any) -> HttpResponse:
        connection = connection_for(self.account)
        staged = get_object_or_404(selectors.staged_records(self.account, connection), pk=record)
        kind = next((k for k in _kinds(self) if k.key == staged.item_type), None)
        context = {
            "active_tab": "ready-to-import",
            "record": staged,
            "kind": kind,
            "fields": [(h, staged.data.get(k)) for k, h in COLUMNS.get(staged.item_type, ())],
            "lines": list(staged.children.order_by("pk")),
        }
        return render(request, "syncs/staged_record.html", context)
