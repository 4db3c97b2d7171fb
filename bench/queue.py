"""The Ready to Export page and the export-requests API at a large queue: SQL queries per page
and server time (median and p95), measured in-process through Django's test client."""

from __future__ import annotations

import datetime
import statistics
import time
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

BATCH = 5_000


def fill_queue(count: int) -> Any:
    """``count`` pending export requests in the demo account (no items behind them: the queue
    shows each request's summary and needs no join)."""
    from approvals.models import ExportRequest, RequestState
    from integrations import models as m
    from tenancy.models import Account, Membership

    account = Account.objects.get(slug="summit")
    sender = Membership.objects.get(account=account, user__username="pm").user
    project = m.Project.objects.filter(account=account).first()
    now = timezone.now()
    have = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    base = 10_000_000
    for start in range(have, count, BATCH):
        ExportRequest.objects.bulk_create(
            ExportRequest(
                account=account,
                item_type="commitment",
                item_id=base + i,
                project=project,
                state=RequestState.PENDING,
                summary={
                    "label": f"SC-{i:06d} Bench scope {i}",
                    "number": f"SC-{i:06d}",
                    "title": f"Bench scope {i}",
                    "project": str(project),
                    "vendor": "Bench Vendor LLC",
                    "amount": f"{1000 + i % 997}.00",
                },
                sent_by=sender,
                sent_at=now - datetime.timedelta(minutes=i),
            )
            for i in range(start, min(count, start + BATCH))
        )
    if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would leave them
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ExportRequest._meta.db_table}")
    return account


def _measure(client: Client, url: str, rounds: int, **headers: Any) -> dict[str, Any]:
    times, queries = [], []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        queries.append(len(captured.captured_queries))
    times.sort()
    return {
        "queries_per_page": max(queries),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def run(count: int, rounds: int = 30) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    account = fill_queue(count)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="approver"))
    page = reverse("export-queue", kwargs={"account": account.slug})
    api = "/api/v1/export-requests/?state=pending"
    from approvals.models import ExportRequest, RequestState

    pending = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    return {
        "pending_requests": pending,
        "ready_to_export_page": _measure(client, page, rounds),
        "ready_to_export_page_last": _measure(client, f"{page}?page=last", rounds),
        "export_requests_api": _measure(client, api, rounds, HTTP_X_ACCOUNT=account.slug),
    }
