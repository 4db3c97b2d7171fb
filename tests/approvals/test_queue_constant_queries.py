"""The Ready to Export queue costs the same number of queries with 10 requests waiting as with
1,000, on the web page (first and last page, a search, the sort by amount) and in the API; and
a deep page shows the right rows."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from demo.seed import seed_demo
from integrations import models as m
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of

pytestmark = pytest.mark.django_db

API = "/api/v1/export-requests/?state=pending"


def fill(account: Any, total: int) -> None:
    """Pending requests (their summaries only) until ``total`` are waiting."""
    have = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    project = m.Project.objects.filter(account=account).order_by("pk").first()
    pm, now = user("pm"), timezone.now()
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=9_000_000 + i,
            project=project,
            state=RequestState.PENDING,
            summary={
                "label": f"SC-{i:05d} Queue scope {i}",
                "title": f"Queue scope {i}",
                "amount": f"{100 + i % 37}.00",
            },
            sent_by=pm,
            sent_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(have, total)
    )


def queries(client: Client, url: str, **headers: Any) -> int:
    client.get(url, **headers)  # the first answer of a session fills per-user caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(captured.captured_queries)


def pages(account: Any) -> dict[str, str]:
    url = reverse("export-queue", kwargs={"account": account.slug})
    return {
        "first page": url,
        "second page": f"{url}?page=2",
        "search": f"{url}?q=scope+7",
        "sort by amount": f"{url}?sort=amount_desc",
    }


def counts(account: Any) -> dict[str, int]:
    client = client_of("approver")
    found = {name: queries(client, url) for name, url in pages(account).items()}
    found["api"] = queries(client, API, HTTP_X_ACCOUNT=account.slug)
    found["api page 2"] = queries(client, f"{API}&page=2", HTTP_X_ACCOUNT=account.slug)
    return found


def test_the_queue_costs_the_same_queries_at_10_and_at_1000_waiting() -> None:
    account = seed_demo()
    fill(account, 60)  # two pages of the web queue, two of the API
    few = counts(account)
    fill(account, 1_000)
    many = counts(account)
    assert many == few


def test_the_last_page_shows_the_oldest_requests_in_order() -> None:
    account = seed_demo()
    fill(account, 1_000)
    pending = ExportRequest.objects.filter(account=account, state=RequestState.PENDING)
    total = pending.count()
    last = -(-total // 25)
    url = reverse("export-queue", kwargs={"account": account.slug})
    page = client_of("approver").get(f"{url}?page={last}").text
    assert f"Page {last} of {last}" in page
    newest = list(pending.order_by("-sent_at", "-id")[: total - (last - 1) * 25])
    shown = list(reversed(newest))
    positions = [page.index(f'id="request-{r.pk}"') for r in shown]
    assert positions == sorted(positions)
    assert page.count("data-queue-row") == len(shown)


def test_the_sort_by_amount_puts_the_largest_first() -> None:
    account = seed_demo()
    fill(account, 100)
    url = reverse("export-queue", kwargs={"account": account.slug})
    page = client_of("approver").get(f"{url}?q=Queue+scope&sort=amount_desc").text
    amounts = re.findall(r'<td class="num">([\d.,]+)</td>', page)
    assert amounts[0] == "136.00"  # 100 + 36, the highest amount filled
    assert amounts == sorted(amounts, key=lambda a: float(a.replace(",", "")), reverse=True)
