"""The record lists at a big contractor's scale: ``count`` commitments and ``count``
subcontractor invoices (with their lines) in the demo account, then the web lists and the API
collections measured in-process through Django's test client (SQL queries per page, median and
p95 server time): the first page, a deep page, a search and sorts, each against its goal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.urls import reverse

from bench.queue import _measure

BATCH = 5_000
PREFIX = "BL-"  # the numbers of the commitments the bench adds (and finds again on a re-run)
DEEP_PAGE = 1000
WEB_PAGE = 25  # rows per page of a web list (integrations.web.views.PAGE_SIZE)
API_PAGE = 50  # and of an API collection (REST_FRAMEWORK["PAGE_SIZE"])
# A word in one title of ten: a search that matches a fraction of the rows, as a user's does.
SEARCHED = "Concrete"
SCOPES = (
    "Concrete",
    "Drywall",
    "Electrical",
    "Plumbing",
    "Roofing",
    "Framing",
    "Glazing",
    "Painting",
    "Masonry",
    "Flooring",
)
# The goals: p95 of a web list page, of a search, of an API deep page (ms).
WEB_GOAL_MS = 150.0
SEARCH_GOAL_MS = 200.0
API_GOAL_MS = 150.0


def _title(i: int) -> str:
    return f"{SCOPES[i % len(SCOPES)]} package {i}"


def fill(count: int) -> Any:
    """``count`` bench commitments (1-3 lines each) and ``count`` subcontractor invoices (one
    per commitment, with a line per commitment line) in the demo account; a re-run adds only
    what is missing."""
    from integrations import models as m
    from tenancy.models import Account

    account = Account.objects.get(slug="summit")
    projects = list(m.Project.objects.filter(account=account).order_by("pk"))
    vendors = list(m.Company.objects.filter(account=account).order_by("pk"))
    ours = m.Commitment.objects.filter(account=account, number__startswith=PREFIX)
    have = ours.count()
    for start in range(have, count, BATCH):
        made = m.Commitment.objects.bulk_create(
            m.Commitment(
                account=account,
                project=projects[i % len(projects)],
                vendor=vendors[i % len(vendors)],
                number=f"{PREFIX}{i:07d}",
                title=_title(i),
                status="approved" if i % 3 else "draft",
                contract_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 365),
            )
            for i in range(start, min(count, start + BATCH))
        )
        m.CommitmentLineItem.objects.bulk_create(
            m.CommitmentLineItem(
                commitment=commitment,
                position=position,
                description=f"Scope {position}",
                amount=Decimal(1000 + (commitment.pk * 7 + position) % 99_000),
            )
            for commitment in made
            for position in range(1, 2 + commitment.pk % 3)
        )
    invoiced = m.SubcontractorInvoice.objects.filter(commitment__in=ours)
    missing = ours.exclude(pk__in=invoiced.values("commitment")).order_by("pk")
    if invoiced.count() < count:
        _invoice(account, list(missing.values_list("pk", flat=True)[: count - invoiced.count()]))
    if connection.vendor == "postgresql":  # as autovacuum leaves them: statistics, visibility
        with connection.cursor() as cursor:
            for model in (
                m.Commitment,
                m.CommitmentLineItem,
                m.SubcontractorInvoice,
                m.SubcontractorInvoiceLineItem,
            ):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return account


def _invoice(account: Any, commitment_ids: list[int]) -> None:
    """One invoice per commitment, its lines billing part of each commitment line."""
    from integrations import models as m

    for start in range(0, len(commitment_ids), BATCH):
        batch = commitment_ids[start : start + BATCH]
        made = m.SubcontractorInvoice.objects.bulk_create(
            m.SubcontractorInvoice(
                account=account,
                commitment_id=pk,
                number=f"INV-{pk}",
                billing_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=pk % 365),
                status="under_review" if pk % 4 else "approved",
            )
            for pk in batch
        )
        lines = m.CommitmentLineItem.objects.filter(commitment_id__in=batch).values_list(
            "pk", "commitment_id", "position", "amount"
        )
        by_commitment: dict[int, list[tuple[int, int, Decimal]]] = {}
        for pk, commitment_id, position, amount in lines:
            by_commitment.setdefault(commitment_id, []).append((pk, position, amount))
        m.SubcontractorInvoiceLineItem.objects.bulk_create(
            m.SubcontractorInvoiceLineItem(
                invoice=invoice,
                commitment_line_id=line,
                position=position,
                description=f"Scope {position}",
                work_completed=(amount / 4).quantize(Decimal("0.01")),
            )
            for invoice in made
            for line, position, amount in by_commitment[invoice.commitment_id]
        )


def _against(measured: dict[str, Any], goal_ms: float) -> dict[str, Any]:
    return {**measured, "goal_p95_ms": goal_ms, "meets_goal": measured["p95_ms"] <= goal_ms}


def run(count: int, rounds: int = 25) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from integrations import models as m

    account = fill(count)
    client = Client(HTTP_HOST="127.0.0.1")
    # The accounting approver: reads every project's commitments and invoices.
    client.force_login(get_user_model().objects.get(username="approver"))

    def web(kind: str, query: str = "", goal: float = WEB_GOAL_MS) -> dict[str, Any]:
        url = reverse("record-list", kwargs={"account": account.slug, "kind": kind}) + query
        client.get(url)  # once before: the session's first request also saves it
        return _against(_measure(client, url, rounds), goal)

    def api(collection: str, query: str = "") -> dict[str, Any]:
        url = f"/api/v1/{collection}/{query}"
        client.get(url, HTTP_X_ACCOUNT=account.slug)
        return _against(_measure(client, url, rounds, HTTP_X_ACCOUNT=account.slug), API_GOAL_MS)

    # Page 1000 (the last page where a small run has fewer).
    web_deep = f"?page={min(DEEP_PAGE, max(1, count // WEB_PAGE))}"
    api_deep = f"?page={min(DEEP_PAGE, max(1, count // API_PAGE))}"
    return {
        "commitments": m.Commitment.objects.filter(account=account).count(),
        "subcontractor_invoices": m.SubcontractorInvoice.objects.filter(account=account).count(),
        "web_commitments": web("commitments"),
        "web_commitments_deep": web("commitments", web_deep),
        "web_commitments_search": web("commitments", f"?q={SEARCHED}", SEARCH_GOAL_MS),
        "web_commitments_sort_title": web("commitments", "?ordering=title"),
        "web_commitments_sort_title_deep": web("commitments", f"{web_deep}&ordering=title"),
        "web_commitments_sort_vendor": web("commitments", "?ordering=-vendor"),
        "web_invoices": web("subcontractor-invoices"),
        "web_invoices_deep": web("subcontractor-invoices", web_deep),
        "web_invoices_search": web("subcontractor-invoices", "?q=INV-1", SEARCH_GOAL_MS),
        "web_invoices_sort_billing_date": web("subcontractor-invoices", "?ordering=-billing_date"),
        # By a column two references away (the commitment's vendor's name): every invoice
        # is joined to its commitment and vendor before the page is cut.
        "web_invoices_sort_vendor": web("subcontractor-invoices", "?ordering=commitment.vendor"),
        "api_commitments": api("commitments"),
        "api_commitments_deep": api("commitments", api_deep),
        "api_commitments_search": api("commitments", f"?search={SEARCHED}"),
        "api_commitments_sort_title": api("commitments", "?ordering=title"),
        "api_invoices": api("subcontractor-invoices"),
        "api_invoices_deep": api("subcontractor-invoices", api_deep),
    }
