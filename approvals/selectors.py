"""Reads for the accounting-acceptance screens: the export queues, the overview and the pause
(an item's workflow is :mod:`approvals.workflow`).

The queues read only ``ExportRequest`` rows (their ``summary`` was taken at send time), so a page
costs the same few queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Page
from django.db.models import Count, Exists, FloatField, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from approvals.batches import Batch, requests_of
from approvals.models import ExportRequest, RequestState
from audit.models import AuditEvent
from erp.models import ErpConnection
from integrations.kinds import by_object_type, exportable_types
from integrations.models import Project
from integrations.paging import KeyedPaginator
from permissions.access import can
from permissions.policy import Action
from tenancy.models import Account

PAGE_SIZE = 25

SORTS: dict[str, str] = {
    "oldest": "Oldest first",
    "newest": "Newest first",
    "amount_desc": "Amount, highest first",
    "amount_asc": "Amount, lowest first",
}
AGES: tuple[tuple[int, str], ...] = (
    (1, "Older than 1 day"),
    (3, "Older than 3 days"),
    (7, "Older than 7 days"),
    (14, "Older than 14 days"),
    (30, "Older than 30 days"),
)
SEARCHED = ("label", "number", "title", "vendor")


@dataclass(frozen=True)
class QueueQuery:
    """What the person asked of a queue: one type (or all), filters, search and sort."""

    item_type: str = ""
    project: int | None = None
    sender: int | None = None
    older_than: int | None = None  # days
    search: str = ""
    sort: str = "oldest"
    batch: Batch | None = None  # only the requests of one export batch (approvals.batches)


@dataclass(frozen=True)
class Tab:
    key: str  # "" for All
    label: str
    count: int
    active: bool
    query: str  # the querystring that opens it, with the other filters kept


@dataclass(frozen=True)
class Row:
    request: ExportRequest
    type_label: str
    url: str
    amount: Decimal | None
    may_decide: bool


@dataclass
class QueuePage:
    page: Page[ExportRequest]
    rows: list[Row]
    tabs: list[Tab]
    may_decide_any: bool
    projects: list[tuple[int, str]] = field(default_factory=list)
    senders: list[tuple[int, str]] = field(default_factory=list)


def plural(label: str) -> str:
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


def item_url(account: Account, item_type: str, item_id: int) -> str:
    kind = by_object_type(item_type).key
    return reverse("record-detail", kwargs={"account": account.slug, "kind": kind, "pk": item_id})


def decidable_types(user: Any, account: Account) -> frozenset[str]:
    """The item types whose requests ``user`` may accept or reject (no query: cached grants)."""
    return frozenset(
        key for key, t in exportable_types() if can(user, t.erp_part.accept_action, account)
    )


def amount_of(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _filtered(
    requests: QuerySet[ExportRequest], query: QueueQuery, now: dt.datetime
) -> QuerySet[ExportRequest]:
    """Every filter but the type (the tabs count per type under the other filters)."""
    if query.batch is not None:
        requests = requests.filter(requests_of(query.batch))
    if query.project is not None:
        requests = requests.filter(project_id=query.project)
    if query.sender is not None:
        requests = requests.filter(sent_by_id=query.sender)
    if query.older_than:
        requests = requests.filter(sent_at__lte=now - dt.timedelta(days=query.older_than))
    if query.search:
        match = Q()
        for key in SEARCHED:
            match |= Q(**{f"summary__{key}__icontains": query.search})
        requests = requests.filter(match)
    return requests


def _sorted(requests: QuerySet[ExportRequest], sort: str) -> QuerySet[ExportRequest]:
    if sort == "newest":
        return requests.order_by("-sent_at", "-id")
    if sort in ("amount_desc", "amount_asc"):
        # The expression of the amount indexes (migration 0009): a float never overflows, and
        # orders amounts as their decimal would.
        amount = Cast(KT("summary__amount"), FloatField())
        if sort == "amount_desc":
            return requests.order_by(amount.desc(nulls_last=True), "sent_at", "id")
        return requests.order_by(amount.asc(nulls_last=True), "sent_at", "id")
    return requests.order_by("sent_at", "id")


def _unfiltered(query: QueueQuery) -> bool:
    return not (query.batch or query.project or query.sender or query.older_than or query.search)


# The states the navigation counts (Ready to Export, Failed to Export): a queue of one of them
# that no filter narrows counts both in its tabs' query, and the navigation reads them there.
NAV_STATES = (RequestState.PENDING, RequestState.FAILED)
_COUNTS = "_export_counts"


def _type_counts(
    account: Account, state: RequestState, query: QueueQuery, now: dt.datetime
) -> dict[str, int]:
    """How many requests of each type the queue holds under its filters but the type (one
    grouped query)."""
    if state in NAV_STATES and _unfiltered(query):
        by_state: dict[str, int] = dict.fromkeys(NAV_STATES, 0)
        counts: dict[str, int] = {}
        grouped = (
            ExportRequest.objects.filter(account=account, state__in=NAV_STATES)
            .order_by()
            .values_list("state", "item_type")
            .annotate(n=Count("id"))
            .values_list("state", "item_type", "n")
        )
        for row_state, key, n in grouped:
            by_state[row_state] += n
            if row_state == state:
                counts[key] = n
        account.__dict__[_COUNTS] = by_state
        return counts
    return dict(
        _filtered(in_state(account, state), query, now)
        .order_by()
        .values_list("item_type")
        .annotate(n=Count("id"))
        .values_list("item_type", "n")
    )


def _tabs(counts: Mapping[str, int], query: QueueQuery, params: Mapping[str, str]) -> list[Tab]:
    """All, then one tab per item type, with counts."""

    def link(key: str) -> str:
        qd = QueryDict(mutable=True)
        for name, value in params.items():
            if name not in ("type", "page") and value:
                qd[name] = value
        if key:
            qd["type"] = key
        return qd.urlencode()

    tabs = [Tab("", "All", sum(counts.values()), not query.item_type, link(""))]
    tabs += [
        Tab(key, plural(t.erp_label), counts.get(key, 0), query.item_type == key, link(key))
        for key, t in exportable_types()
    ]
    return tabs


class CountedPaginator(KeyedPaginator):
    """A paginator told its count (the tabs counted it already: no ``COUNT(*)`` of its own)
    that finds a page's ids first (an index-only scan of the queue's order, however deep the
    page) and reads only those rows (:class:`integrations.paging.KeyedPaginator`)."""

    def __init__(self, object_list: QuerySet[ExportRequest], per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached property


def in_state(account: Account, state: RequestState) -> QuerySet[ExportRequest]:
    """The account's requests in ``state``; a rejected one only while its record stays
    rejected (not once it was sent again)."""
    requests = ExportRequest.objects.filter(account=account, state=state)
    if state == RequestState.REJECTED:
        later = ExportRequest.objects.filter(
            account=account,
            item_type=OuterRef("item_type"),
            item_id=OuterRef("item_id"),
            sent_at__gt=OuterRef("sent_at"),
        )
        requests = requests.exclude(Exists(later))
    return requests


def queue_requests(
    account: Account, state: RequestState, query: QueueQuery
) -> QuerySet[ExportRequest]:
    """Every request of the queue in ``state`` that ``query`` asks for, in its order: the rows
    of the queue page (a page of them) and of its CSV (all of them)."""
    filtered = _filtered(in_state(account, state), query, timezone.now())
    if query.item_type:
        filtered = filtered.filter(item_type=query.item_type)
    return _sorted(filtered.select_related("sent_by"), query.sort)


def queue_page(
    *,
    user: Any,
    account: Account,
    state: RequestState,
    query: QueueQuery,
    params: Mapping[str, str],
    page_number: Any = 1,
) -> QueuePage:
    """One page of the requests in ``state``, filtered, searched and sorted, with the tabs and
    the filters' choices. A constant number of queries."""
    counts = _type_counts(account, state, query, timezone.now())
    tabs = _tabs(counts, query, params)
    listed = queue_requests(account, state, query)
    total = counts.get(query.item_type, 0) if query.item_type else sum(counts.values())
    page = CountedPaginator(listed, PAGE_SIZE, total).get_page(page_number)
    allowed = decidable_types(user, account)
    rows = [
        Row(
            request=r,
            type_label=by_object_type(r.item_type).erp_label,
            url=item_url(account, r.item_type, r.item_id),
            amount=amount_of(r.summary.get("amount")),
            may_decide=r.item_type in allowed,
        )
        for r in page.object_list
    ]
    # The filters offer the account's projects and members (small tables), not a scan of the
    # queue for the ones it mentions.
    projects = Project.objects.filter(account=account).order_by("number", "pk")
    senders = (
        get_user_model()
        ._default_manager.filter(memberships__account=account)
        .order_by("first_name", "last_name", "username")
    )
    return QueuePage(
        page=page,
        rows=rows,
        tabs=tabs,
        may_decide_any=bool(allowed),
        projects=[(p.pk, str(p)) for p in projects],
        senders=[(u.pk, u.get_full_name() or u.get_username()) for u in senders],
    )


def nav_counts(account: Account) -> dict[str, int]:
    """How many requests are Ready to Export and Failed to Export, for the navigation: one
    grouped query, kept on the account object of the request (or read from the queue page's
    own count, see ``_type_counts``), so the two tabs of the layout cost one query at most."""
    known = account.__dict__.get(_COUNTS)
    if known is None:
        known = dict.fromkeys(NAV_STATES, 0)
        known.update(
            ExportRequest.objects.filter(account=account, state__in=NAV_STATES)
            .order_by()
            .values_list("state")
            .annotate(n=Count("id"))
            .values_list("state", "n")
        )
        account.__dict__[_COUNTS] = known
    return known


def pending_count(account: Account) -> int:
    return nav_counts(account)[RequestState.PENDING]


def failed_count(account: Account) -> int:
    return nav_counts(account)[RequestState.FAILED]


@dataclass(frozen=True)
class Paused:
    """The account's ERP connection is paused: since when, why, and whether the user may
    manage the connection (the banner's link to its page)."""

    since: dt.datetime | None
    reason: str
    may_manage: bool


def paused(user: Any, account: Account) -> Paused | None:
    """Whether exports wait on a paused connection (two queries when paused, one when not)."""
    connection = ErpConnection.objects.filter(account=account, is_paused=True).first()
    if connection is None:
        return None
    since = (
        AuditEvent.objects.filter(account=account, verb="connection_paused")
        .order_by("-created_at", "-id")
        .values_list("created_at", flat=True)
        .first()
    )
    return Paused(
        since=since or connection.updated_at,
        reason=connection.paused_reason.strip().rstrip("."),
        may_manage=can(user, Action.MANAGE_ERP_CONNECTION, account),
    )


@dataclass(frozen=True)
class Overview:
    """The workflow's counts on the account's overview, each with the list behind it."""

    may_view_queues: bool
    pending: int
    failed: int
    waiting: int  # accepted, waiting to be exported (or being exported)
    rejected: int
    mine_rejected: int  # rejected items the user sent
    paused: Paused | None


def overview(user: Any, account: Account) -> Overview:
    """One grouped query for the counts, two for the rejections, and the pause."""
    counts = dict(
        ExportRequest.objects.filter(
            account=account,
            state__in=(
                RequestState.PENDING,
                RequestState.FAILED,
                RequestState.ACCEPTED,
                RequestState.EXPORTING,
            ),
        )
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    rejected = in_state(account, RequestState.REJECTED)
    mine = rejected.filter(sent_by_id=user.pk).count() if getattr(user, "pk", None) else 0
    may_view = can(user, Action.VIEW_ERP_TOOL, account)
    return Overview(
        may_view_queues=may_view,
        pending=counts.get(RequestState.PENDING, 0),
        failed=counts.get(RequestState.FAILED, 0),
        waiting=counts.get(RequestState.ACCEPTED, 0) + counts.get(RequestState.EXPORTING, 0),
        rejected=rejected.count() if may_view else mine,
        mine_rejected=mine,
        paused=paused(user, account),
    )
