"""A bulk accept costs a bounded number of queries, whatever the number of requests."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept
from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations import models as m
from tenancy.models import Account
from tests.factories import demo_user as user

pytestmark = pytest.mark.django_db

MAX_QUERIES = 30


def pending_requests(account: Account, count: int, prefix: str) -> list[ExportRequest]:
    """``count`` pending commitments and their requests, written in bulk."""
    project = m.Project.objects.filter(account=account, erp_state="synced").order_by("pk")[0]
    vendor = m.Company.objects.filter(account=account, erp_state="synced").order_by("pk")[0]
    commitments = m.Commitment.objects.bulk_create(
        m.Commitment(
            account=account,
            project=project,
            vendor=vendor,
            number=f"{prefix}-{n:04d}",
            title=f"Bulk {n}",
            status=m.ContractStatus.APPROVED,
            erp_state=m.ErpState.PENDING,
        )
        for n in range(count)
    )
    pm, now = user("pm"), timezone.now()
    return ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=item.pk,
            project=project,
            state=RequestState.PENDING,
            summary={"label": f"{item.number} {item.title}"},
            sent_by=pm,
            sent_at=now,
        )
        for item in commitments
    )


def shape(sql: str) -> str:
    """What a statement does, to which table (``UPDATE approvals_exportrequest``)."""
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"(\w+)"', sql)
    return f"{sql.split()[0].upper()} {table.group(1) if table else ''}".strip()


def collapse(queries: list[dict[str, str]]) -> list[str]:
    """The statements in order, a run of one statement (a batch split by SQLite) as one."""
    shapes = [shape(q["sql"]) for q in queries]
    return [s for i, s in enumerate(shapes) if i == 0 or shapes[i - 1] != s]


def accept_all(account: Account, requests: list[ExportRequest]) -> list[dict[str, str]]:
    approver = user("approver")  # a fresh object: its grants are loaded inside the count
    ids = [r.pk for r in requests]
    with CaptureQueriesContext(connection) as captured:
        accepted = export_accept(account=account, request_ids=ids, actor=approver)
    assert len(accepted) == len(ids)
    return captured.captured_queries


def test_bulk_accept_of_500_in_bounded_queries(django_assert_max_num_queries):
    account = seed_demo()
    requests = pending_requests(account, 500, "BULK")
    approver = user("approver")
    ids = [r.pk for r in requests]
    with django_assert_max_num_queries(MAX_QUERIES):
        export_accept(account=account, request_ids=ids, actor=approver)
    assert ExportRequest.objects.filter(pk__in=ids, state="accepted").count() == 500
    assert not ExportRequest.objects.filter(pk__in=ids).exclude(decided_by=approver).exists()
    items = m.Commitment.objects.filter(pk__in=[r.item_id for r in requests])
    assert set(items.values_list("erp_state", flat=True)) == {"accepted"}
    events = AuditEvent.objects.filter(request_id__in=ids)
    assert events.count() == 500
    assert set(events.values_list("verb", "before", "after", "actor")) == {
        ("accept", "pending", "accepted", approver.pk)
    }
    assert events.values("request_id").distinct().count() == 500  # one per request


def test_query_count_does_not_grow_with_the_batch():
    account = seed_demo()
    small = accept_all(account, pending_requests(account, 50, "S"))
    large = accept_all(account, pending_requests(account, 500, "L"))
    assert len(large) <= MAX_QUERIES
    if connection.vendor == "sqlite":
        # SQLite allows 999 variables a statement, so Django splits a bulk insert or update of
        # 500 rows into several statements of the same shape: the same statements, each run
        # more often. Nothing runs once per request.
        assert collapse(large) == collapse(small), (collapse(small), collapse(large))
    else:
        assert len(large) == len(small), [q["sql"][:80] for q in large]
