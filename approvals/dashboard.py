"""Reads for the dashboard panels the workflow adds to the account's overview: the oldest
requests waiting for acceptance, the failures that need action, a sender's own rejected and
failed items, and the ERP connection's health. Each costs a fixed number of queries whatever
the number of requests (a few rows and a count apiece)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.selectors import decidable_types, in_state, item_url, paused
from connectors.registry import connector_class
from erp.models import ErpCall, ErpConnection
from integrations.kinds import by_object_type
from permissions.access import can
from permissions.policy import Action
from tenancy.models import Account

SHOWN = 5  # rows per panel


@dataclass(frozen=True)
class DashRow:
    """One request on a panel: what it is, where to open it, and how long it has been."""

    request: ExportRequest
    type_label: str
    url: str
    age: str  # "3 days"


@dataclass(frozen=True)
class DashList:
    rows: list[DashRow]
    total: int


def age(since: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in days once a day has passed ("10 days", "2 hours", "5 minutes");
    "under a minute" when fresh."""
    seconds = int((now - since).total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return "under a minute"


def _rows(account: Account, requests: QuerySet[ExportRequest], now: dt.datetime) -> list[DashRow]:
    return [
        DashRow(
            request=r,
            type_label=by_object_type(r.item_type).erp_label,
            url=item_url(account, r.item_type, r.item_id),
            age=age(r.sent_at, now),
        )
        for r in requests.select_related("sent_by", "decided_by", "project")[:SHOWN]
    ]


def oldest_waiting(user: Any, account: Account) -> DashList | None:
    """The oldest requests waiting for acceptance (two queries), for those who may see the
    queue."""
    if not can(user, Action.VIEW_ERP_TOOL, account):
        return None
    waiting = in_state(account, RequestState.PENDING)
    now = timezone.now()
    return DashList(_rows(account, waiting.order_by("sent_at", "id"), now), waiting.count())


def newest_failures(user: Any, account: Account) -> DashList | None:
    """The newest requests the ERP refused, with its message (two queries)."""
    if not can(user, Action.VIEW_ERP_TOOL, account):
        return None
    failed = in_state(account, RequestState.FAILED)
    now = timezone.now()
    return DashList(_rows(account, failed.order_by("-updated_at", "-id"), now), failed.count())


@dataclass(frozen=True)
class Mine:
    """What a sender who does not decide sent and must fix: their rejected and failed items."""

    rejected: DashList
    failed: DashList
    may_view_queues: bool


def my_items(user: Any, account: Account) -> Mine | None:
    """A sender's own rejected and failed items (four queries); None for those who decide
    (their queues come first) and for members who never sent anything that needs them."""
    if not getattr(user, "pk", None) or decidable_types(user, account):
        return None
    now = timezone.now()
    rejected = in_state(account, RequestState.REJECTED).filter(sent_by_id=user.pk)
    failed = in_state(account, RequestState.FAILED).filter(sent_by_id=user.pk)
    mine = Mine(
        rejected=DashList(
            _rows(account, rejected.order_by("-decided_at", "-id"), now), rejected.count()
        ),
        failed=DashList(_rows(account, failed.order_by("-updated_at", "-id"), now), failed.count()),
        may_view_queues=can(user, Action.VIEW_ERP_TOOL, account),
    )
    if not mine.rejected.total and not mine.failed.total:
        return None
    return mine


@dataclass(frozen=True)
class Health:
    """The ERP connection as the dashboard shows it."""

    connector_label: str
    connection: ErpConnection | None
    last_test: ErpCall | None
    open_errors: int  # failed calls nobody resolved (the ERP log's "open errors" filter)
    recent_errors: int  # of those, the ones of the last 24 hours
    may_view_log: bool
    may_manage: bool
    paused_since: dt.datetime | None


def health(user: Any, account: Account) -> Health | None:
    """The connection's health, for those who may see the ERP tool (at most four queries)."""
    if not can(user, Action.VIEW_ERP_TOOL, account):
        return None
    connection = ErpConnection.objects.filter(account=account).first()
    if connection is None:
        return Health("Not set up", None, None, 0, 0, False, False, None)
    last_test = connection.calls.filter(action="test").order_by("-started_at", "-id").first()
    since = timezone.now() - dt.timedelta(hours=24)
    errors = (
        ErpCall.objects.filter(account=account, resolved=False)
        .exclude(outcome__in=["", ErpCall.Outcome.SUCCESS])
        .aggregate(open=Count("id"), recent=Count("id", filter=Q(started_at__gte=since)))
    )
    pause = paused(user, account) if connection.is_paused else None
    try:
        label = connector_class(connection.connector_key).label
    except LookupError:
        label = connection.connector_key
    return Health(
        connector_label=label,
        connection=connection,
        last_test=last_test,
        open_errors=errors["open"],
        recent_errors=errors["recent"],
        may_view_log=can(user, Action.VIEW_SYNC_LOGS, account),
        may_manage=can(user, Action.MANAGE_ERP_CONNECTION, account),
        paused_since=pause.since if pause else None,
    )
