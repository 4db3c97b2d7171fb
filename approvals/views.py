"""The export screens: the Ready to Export and Failed to Export queues (and the read-only lists
of waiting and rejected items), the accept, reject and retry dialogs. The item page's buttons
are in :mod:`approvals.item_views`.

Each view parses, calls a service and renders. A plain form gets a redirect on success; an htmx
request gets the part of the page that changed. The services' refusals map to statuses: a
broken ERP rule or a missing value is 400 (said per field), a request that moved on is 409, a
user without the right is 403 and another account's request is 404.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

from approvals import batches, bulk_selection, selectors
from approvals.batch_views import panel_context
from approvals.errors import DecisionConflict, InvalidTransition
from approvals.forms import (
    AcceptForm,
    BulkForm,
    QueueFilterForm,
    RejectForm,
    add_errors,
    parse_query,
)
from approvals.models import ExportRequest, RequestState
from approvals.numbering import accept_fields
from approvals.queue_sorting import sort_headings
from approvals.services import (
    export_accept,
    export_reject,
    export_retry,
)
from integrations.kinds import Kind, by_object_type
from permissions.access import can
from permissions.policy import Action
from permissions.web import PolicyView
from tenancy.web import AccountRequest

QUEUE_PARAMS = ("q", "type", "project", "sender", "age", "sort", "page", "batch")
FILTERS = ("q", "type", "project", "sender", "age", "batch")
PAUSED_NOTE = "Exports to the ERP are paused: accepted items wait until an ERP admin resumes."
# Conflicts: the item or request moved on since the page was drawn.
CONFLICTS = (DecisionConflict, InvalidTransition)


def is_htmx(request: HttpRequest) -> bool:
    """An htmx request that wants a part of the page (a history restore wants all of it)."""
    details = getattr(request, "htmx", None)
    return bool(details) and not getattr(details, "history_restore_request", False)


@dataclass(frozen=True)
class Queue:
    key: str
    state: RequestState
    url_name: str
    title: str
    tab: str
    decisions: tuple[str, ...]
    empty: str


QUEUES: dict[str, Queue] = {
    q.key: q
    for q in (
        Queue(
            "ready",
            RequestState.PENDING,
            "export-queue",
            "Ready to Export",
            "ready-to-export",
            ("accept", "reject"),
            "Nothing is waiting for accounting acceptance.",
        ),
        Queue(
            "failed",
            RequestState.FAILED,
            "export-failed",
            "Failed to Export",
            "failed-to-export",
            ("retry", "reject"),
            "Nothing failed to export.",
        ),
        # The overview's counts open these two: read-only lists.
        Queue(
            "waiting",
            RequestState.ACCEPTED,
            "export-waiting",
            "Accepted, waiting for the ERP",
            "home",
            (),
            "Nothing accepted is waiting for the ERP.",
        ),
        Queue(
            "rejected",
            RequestState.REJECTED,
            "export-rejected",
            "Rejected",
            "home",
            (),
            "Nothing is rejected.",
        ),
    )
}


def _queue_of(data: Any) -> Queue:
    return QUEUES.get(str(data.get("queue", "")), QUEUES["ready"])


def _queue_url(account: Any, queue: Queue, querystring: str = "") -> str:
    url = reverse(queue.url_name, kwargs={"account": account.slug})
    return f"{url}?{querystring}" if querystring else url


def _clean_querystring(querystring: str) -> str:
    """Only the queue's own parameters survive a round trip through a form."""
    params = QueryDict(querystring)
    kept = {name: params.get(name, "") for name in QUEUE_PARAMS}
    return urlencode({name: value for name, value in kept.items() if value})


def queue_query(account: Any, params: Any) -> selectors.QueueQuery:
    """The filters, search and sort in ``params``, with the export batch they may name."""
    token = params.get("batch", "")
    batch = batches.filter_batch(token, account) if token else None
    return dataclasses.replace(parse_query(params), batch=batch)


def _paused(request: AccountRequest) -> bool:
    return selectors.paused(request.user, request.account) is not None


def render_queue(
    request: AccountRequest,
    queue: Queue,
    querystring: str,
    *,
    bulk_form: BulkForm | None = None,
    error: str = "",
    status: int = 200,
    own_only: bool = False,
    follow: str = "",
) -> HttpResponse:
    """The queue page, or (htmx) its ``#queue`` section, for the filters in ``querystring``
    (``own_only``: only the requests the user sent, whatever the sender filter says;
    ``follow``: the export batch whose progress the page shows, see :mod:`approvals.batches`)."""
    account = request.account
    params = QueryDict(querystring, mutable=True)
    if own_only:
        params["sender"] = str(request.user.pk)
    query = queue_query(account, params)
    data = selectors.queue_page(
        user=request.user,
        account=account,
        state=queue.state,
        query=query,
        params=params,
        page_number=params.get("page", 1),
    )
    data.may_decide_any = data.may_decide_any and bool(queue.decisions)
    without_page = params.copy()
    without_page.pop("page", None)
    context = {
        "queue": queue,
        "active_tab": queue.tab,
        "data": data,
        "filter_form": QueueFilterForm(
            params or None, projects=data.projects, senders=data.senders
        ),
        "bulk_form": bulk_form or BulkForm(),
        "selected": bulk_form.selected() if bulk_form else set(),
        "error": error,
        "paused": selectors.paused(request.user, account),
        "own_only": own_only,
        "mine": params.get("sender") == str(request.user.pk),
        "querystring": querystring,
        "page_querystring": without_page.urlencode(),
        "back": urlencode({"queue": queue.key, "qs": querystring}),
        "queue_url": _queue_url(account, queue),
        "filtered": any(params.get(k) for k in FILTERS),
        "headings": sort_headings(params, query.sort),
        "batch": panel_context(account, follow) if follow else None,
        "max_matching": bulk_selection.MAX_MATCHING,
    }
    template = "approvals/_queue.html" if is_htmx(request) else "approvals/queue.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


class QueueView(PolicyView):
    """*Ready to Export* (or *Failed to Export*): anyone who may open the ERP tool sees it; the
    buttons show only for the types the user may accept or reject."""

    policy_action = Action.VIEW_ERP_TOOL

    queue_key = "ready"

    def get(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        querystring = _clean_querystring(request.GET.urlencode())
        follow = request.GET.get("follow", "")
        return render_queue(request, QUEUES[self.queue_key], querystring, follow=follow)


class RejectedView(PolicyView):
    """*Rejected*: the requests whose record is still rejected. Those who may open the ERP
    tool see every one (the overview's "Your rejected items" filters by sender = me); a sender
    without the tool (a project admin) sees the ones they sent."""

    policy_action = None  # any member: a member without the ERP tool sees only their own

    def get(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        querystring = _clean_querystring(request.GET.urlencode())
        own_only = not can(request.user, Action.VIEW_ERP_TOOL, request.account)
        return render_queue(request, QUEUES["rejected"], querystring, own_only=own_only)


def _decided(
    request: AccountRequest, queue: Queue, querystring: str, note: str, follow: str | None = None
) -> HttpResponse:
    """After a decision: back to the queue (plain form) or the re-drawn queue (htmx), with the
    progress of the exports it started when there are more than a handful (``follow``)."""
    messages.success(request, note)
    if not is_htmx(request):
        if follow:
            querystring = "&".join(filter(None, (querystring, urlencode({"follow": follow}))))
        return redirect(_queue_url(request.account, queue, querystring))
    response = render_queue(request, queue, querystring, follow=follow or "")
    # A dialog's form asked: the queue is what changed, and the dialog closes.
    response["HX-Retarget"] = "#queue"
    response["HX-Reswap"] = "outerHTML"
    response["HX-Trigger"] = "erpdone"
    return response


def _count(n: int, what: str = "item") -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def done_note(decision: str, n: int, *, paused: bool = False) -> str:
    """What a decision on ``n`` items did: "3 items sent again.", "Accepted 1 item."."""
    if decision == "retry":
        note = f"{_count(n)} sent again."
    else:
        note = f"{'Accepted' if decision == 'accept' else 'Rejected'} {_count(n)}."
    if paused and decision != "reject":
        note += f" {PAUSED_NOTE}"
    return note


def _decide(
    decision: str, request: AccountRequest, ids: list[int], *, reason: str, erp_fields: Any = None
) -> list[ExportRequest]:
    account = request.account
    try:
        if decision == "accept":
            return export_accept(
                account=account, request_ids=ids, actor=request.user, erp_fields=erp_fields
            )
        if decision == "retry":
            return export_retry(
                account=account, request_ids=ids, actor=request.user, erp_fields=erp_fields
            )
        return export_reject(account=account, request_ids=ids, actor=request.user, reason=reason)
    except ExportRequest.DoesNotExist:
        raise Http404("No such request in this account.") from None


class BulkDecisionView(PolicyView):
    """*Accept selected* / *Reject selected*: the checked rows, in one service call."""

    policy_action = Action.VIEW_ERP_TOOL  # and the services ask for the approver

    decision = "accept"

    def post(self, request: AccountRequest, **kwargs: Any) -> HttpResponse:
        queue = _queue_of(request.POST)
        querystring = _clean_querystring(request.POST.get("qs", ""))
        data: QueryDict = request.POST
        refused: ValidationError | None = None
        if bulk_selection.wanted(data):  # every request the filters match, not the ticked ones
            query = queue_query(request.account, QueryDict(querystring))
            try:
                ids = bulk_selection.matching_ids(request.user, request.account, queue.state, query)
            except ValidationError as exc:
                refused = exc
            else:
                data = bulk_selection.with_ids(data, ids)
        form = BulkForm(data)
        status, error = 400, ""
        if refused is not None:
            form.is_valid()
            form.add_error(None, refused)
        elif form.is_valid():
            try:
                done = _decide(
                    self.decision,
                    request,
                    form.cleaned_data["ids"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except CONFLICTS as exc:
                status, error = 409, exc.message
            else:
                note = done_note(self.decision, len(done), paused=_paused(request))
                follow = batches.followed(done) if self.decision != "reject" else None
                return _decided(request, queue, querystring, note, follow)
        return render_queue(request, queue, querystring, bulk_form=form, error=error, status=status)


class DecisionView(PolicyView):
    """The accept dialog (the ERP fields the connector and the account's numbering ask for) or
    the reject dialog (the reason). With htmx it opens over the queue; without JavaScript it is
    a page of its own."""

    policy_action = Action.VIEW_ERP_TOOL  # and load() asks for the approver of the type

    decision = "accept"
    export_request: ExportRequest
    kind: Kind

    def load(self, pk: int) -> None:
        self.export_request = get_object_or_404(
            ExportRequest.objects.for_account(self.account).select_related("sent_by"), pk=pk
        )
        self.kind = by_object_type(self.export_request.item_type)
        if not can(self.request.user, self.kind.erp_part.accept_action, self.account):
            raise PermissionDenied(
                f"You are not an accounting approver for {self.kind.erp_label.lower()}s."
            )

    def form(self, data: Any = None) -> AcceptForm | RejectForm:
        if self.decision == "reject":
            return RejectForm(data)
        fields = accept_fields(self.account, self.export_request.item_type)
        # A retry offers the values typed on accept, to change the one the ERP refused.
        typed = self.export_request.erp_fields if self.decision == "retry" else {}
        return AcceptForm(data, accept_fields=fields, initial=typed)

    def get(self, request: AccountRequest, pk: int, **kwargs: Any) -> HttpResponse:
        self.load(pk)
        queue = _queue_of(request.GET)
        return self.show(self.form(), queue, _clean_querystring(request.GET.get("qs", "")))

    def post(self, request: AccountRequest, pk: int, **kwargs: Any) -> HttpResponse:
        self.load(pk)
        queue = _queue_of(request.POST)
        querystring = _clean_querystring(request.POST.get("qs", ""))
        form = self.form(request.POST)
        status, error = 400, ""
        if form.is_valid():
            fields = form.erp_fields() if isinstance(form, AcceptForm) else None
            try:
                _decide(
                    self.decision,
                    request,
                    [pk],
                    reason=form.cleaned_data.get("reason", ""),
                    erp_fields=fields,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            except CONFLICTS as exc:
                status, error = 409, exc.message
            else:
                verb = {"accept": "Accepted", "retry": "Sent again:"}.get(self.decision, "Rejected")
                note = f"{verb} {self.export_request.label}."
                if self.decision != "reject" and _paused(request):
                    note += f" {PAUSED_NOTE}"
                return _decided(request, queue, querystring, note)
        return self.show(form, queue, querystring, error=error, status=status)

    def show(
        self, form: Any, queue: Queue, querystring: str, *, error: str = "", status: int = 200
    ) -> HttpResponse:
        action = reverse(
            f"export-{self.decision}",
            kwargs={"account": self.account.slug, "pk": self.export_request.pk},
        )
        context = {
            "decision": self.decision,
            "export_request": self.export_request,
            "kind": self.kind,
            "item_url": selectors.item_url(
                self.account, self.export_request.item_type, self.export_request.item_id
            ),
            "form": form,
            "error": error,
            "action": action,
            "queue": queue,
            "querystring": querystring,
            "cancel_url": _queue_url(self.account, queue, querystring),
            "active_tab": queue.tab,
        }
        template = "approvals/_decide.html" if is_htmx(self.request) else "approvals/decide.html"
        return render(self.request, template, context, status=status)
