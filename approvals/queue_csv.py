"""*Export CSV* on Ready to Export and Failed to Export: every row the queue shows under its
filters, search and sort (all pages, not only the one on screen), with the queue's columns.
The rows come from :func:`approvals.selectors.queue_requests`, as the page's do, read in
chunks and streamed; a cell a spreadsheet would run as a formula is quoted."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone

from approvals import selectors
from approvals.models import ExportRequest, RequestState
from approvals.views import QUEUES, Queue, queue_query
from integrations.kinds import by_object_type
from integrations.web.export_csv import CHUNK, csv_rows, streamed_csv
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.web import AccountRequest

HEADER = ("Item", "Type", "Project", "Vendor", "Amount", "Sent by", "Sent", "Status")


def _amount(request: ExportRequest) -> str:
    amount = selectors.amount_of(request.summary.get("amount"))
    return f"{amount:.2f}" if amount is not None else ""


def _cells(request: ExportRequest, queue: Queue) -> list[Any]:
    sender = request.sent_by
    cells = [
        request.label,
        by_object_type(request.item_type).erp_label,
        request.summary.get("project") or "",
        request.summary.get("vendor") or "",
        _amount(request),
        sender.get_full_name() or sender.get_username(),
        timezone.localtime(request.sent_at).isoformat(timespec="seconds"),
        RequestState(request.state).label,
    ]
    if queue.key == "failed":
        cells.append(request.error)
    return cells


def queue_lines(queue: Queue, requests: Iterable[ExportRequest]) -> Iterator[str]:
    header = (*HEADER, "ERP error") if queue.key == "failed" else HEADER
    return csv_rows(header, (_cells(r, queue) for r in requests))


class QueueCsvView(PolicyView):
    """The queue's rows as a CSV download, for whoever may open the queue."""

    policy_action = Action.VIEW_ERP_TOOL

    queue_key = "ready"

    def get(self, request: AccountRequest, **kwargs: Any) -> StreamingHttpResponse:
        queue = QUEUES[self.queue_key]
        query = queue_query(self.account, request.GET)
        rows = selectors.queue_requests(self.account, queue.state, query)
        lines = queue_lines(queue, rows.iterator(chunk_size=CHUNK))
        return streamed_csv(lines, f"{queue.tab}.csv")
