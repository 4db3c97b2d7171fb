"""The Ready to Export page and the export-requests API at a large queue: SQL queries per page
and server time (median and p95), measured in-process through Django's test client, each
against its goal.

Queries are counted by a wrapper on the connection (every statement a cursor sends; not the
driver's own ``BEGIN`` and ``COMMIT``), not from ``connection.queries``: that log keeps only
the last 9,000 statements, so once it is full its length no longer grows and a page read as 0
queries.
Each measured answer is checked to be the page asked for (its number, its rows)."""

from __future__ import annotations

import datetime
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

BATCH = 5_000
GOAL_QUERIES = 12
GOAL_P95_MS = 150.0
GOAL_SEARCH_P95_MS = 200.0
SEARCH = "scope 4242"  # a word of the labels that picks a handful of the requests
API = "/api/v1/export-requests/?state=pending"


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
    # Items no earlier run used (a bulk bench leaves some accepted: still open on their item).
    top = ExportRequest.objects.filter(account=account).aggregate(top=Max("item_id"))["top"]
    base = max(10_000_000, (top or 0) + 1) - have
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
    if connection.vendor == "postgresql":  # statistics and visibility, as autovacuum leaves them
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {ExportRequest._meta.db_table}")
    return account


class Counter:
    """Counts the statements sent on the connection while installed."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _measure(
    client: Client,
    url: str,
    rounds: int,
    check: Callable[[Any], None] | None = None,
    **headers: Any,
) -> dict[str, Any]:
    """Statements and server time of ``rounds`` GETs of ``url`` (after one to warm), each
    answer 200 and passing ``check``."""
    times, queries = [], []
    client.get(url, **headers)  # warm: the first answer of a session fills per-user caches
    for _ in range(rounds):
        counter = Counter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        if check is not None:
            check(response)
        queries.append(counter.count)
    connection.queries_log.clear()  # DEBUG's log, so it never grows beyond the run
    times.sort()
    return {
        "queries_per_page": max(queries),
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
    }


def _goal(
    client: Client,
    url: str,
    rounds: int,
    check: Callable[[Any], None],
    goal_ms: float = GOAL_P95_MS,
    **headers: Any,
) -> dict[str, Any]:
    """``_measure``, with the queue's goal and whether the figure meets it."""
    figure = _measure(client, url, rounds, check, **headers)
    return {
        "url": url,
        **figure,
        "goal": f"<= {GOAL_QUERIES} queries, p95 <= {goal_ms:g} ms",
        "meets_goal": figure["queries_per_page"] <= GOAL_QUERIES and figure["p95_ms"] <= goal_ms,
    }


def _web_page(number: int, rows: int | None = None) -> Callable[[Any], None]:
    """The answer is page ``number`` of the queue (and shows ``rows`` rows when given)."""

    def check(response: Any) -> None:
        html = response.content.decode()
        shown = re.search(r"Page (\d+) of (\d+)", html)
        if number > 1 and (shown is None or int(shown.group(1)) != number):
            raise RuntimeError(f"asked for page {number}, got {shown and shown.group(0)}")
        found = html.count("data-queue-row")
        if found == 0 or (rows is not None and found != rows):
            raise RuntimeError(f"page {number} shows {found} rows, not {rows}")

    return check


def _api_page(number: int, rows: int) -> Callable[[Any], None]:
    def check(response: Any) -> None:
        body = response.json()
        if len(body["results"]) != rows or (number > 1 and body["previous"] is None):
            raise RuntimeError(f"the API's page {number} has {len(body['results'])} rows")

    return check


def run(count: int, rounds: int = 30) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from approvals.models import ExportRequest, RequestState
    from approvals.selectors import PAGE_SIZE

    account = fill_queue(count)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="approver"))
    page = reverse("export-queue", kwargs={"account": account.slug})
    pending = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    last = max(1, -(-pending // PAGE_SIZE))
    last_rows = pending - (last - 1) * PAGE_SIZE
    api_size = 50
    api_last = max(1, -(-pending // api_size))
    searched = ExportRequest.objects.filter(
        account=account, state=RequestState.PENDING, summary__label__icontains=SEARCH
    ).count()
    h = {"HTTP_X_ACCOUNT": account.slug}
    search_q = SEARCH.replace(" ", "+")
    return {
        "pending_requests": pending,
        "ready_to_export_page": _goal(client, page, rounds, _web_page(1, PAGE_SIZE)),
        "ready_to_export_page_last": _goal(
            client, f"{page}?page={last}", rounds, _web_page(last, last_rows)
        ),
        "ready_to_export_search": {
            "matches": searched,
            **_goal(
                client,
                f"{page}?q={search_q}",
                rounds,
                _web_page(1, min(searched, PAGE_SIZE)),
                GOAL_SEARCH_P95_MS,
            ),
        },
        "ready_to_export_sort_amount": _goal(
            client, f"{page}?sort=amount_desc", rounds, _web_page(1, PAGE_SIZE)
        ),
        "ready_to_export_sort_amount_last": _goal(
            client, f"{page}?sort=amount_asc&page={last}", rounds, _web_page(last, last_rows)
        ),
        "export_requests_api": _goal(client, API, rounds, _api_page(1, api_size), **h),
        "export_requests_api_last": _goal(
            client,
            f"{API}&page={api_last}",
            rounds,
            _api_page(api_last, pending - (api_last - 1) * api_size),
            **h,
        ),
    }
