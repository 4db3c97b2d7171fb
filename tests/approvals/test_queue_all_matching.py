"""*All N matching* on the Ready to Export queue: a bulk decision over every request the
filters match (more than the page shows), refused with the number when it is too many."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import bulk_selection
from approvals.models import ExportRequest, RequestState
from demo.seed import seed_demo
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of

pytestmark = pytest.mark.django_db


def waiting(account: Any, count: int, words: str) -> list[int]:
    pm, now = user("pm"), timezone.now()
    made = ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=7_000_000 + i + (0 if words == "Site works" else 500),
            state=RequestState.PENDING,
            summary={"label": f"SC-{i:04d} {words} {i}", "amount": "10.00"},
            sent_by=pm,
            sent_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(count)
    )
    return [r.pk for r in made]


def test_the_queue_offers_all_matching_when_they_fill_more_than_a_page() -> None:
    account = seed_demo()
    waiting(account, 40, "Site works")
    url = reverse("export-queue", kwargs={"account": account.slug})
    client = client_of("approver")
    page = client.get(f"{url}?q=Site+works").text
    assert 'name="matching" value="all" data-bulk-matching="40"' in page
    assert "All 40 matching" in page
    few = client.get(f"{url}?q=Site+works+3").text  # 3, 30-39: one page
    assert 'name="matching"' not in few


def test_rejecting_all_matching_rejects_every_match_and_nothing_else() -> None:
    account = seed_demo()
    site = waiting(account, 40, "Site works")
    other = waiting(account, 3, "Paving")
    response = client_of("approver").post(
        reverse("export-reject-selected", kwargs={"account": account.slug}),
        {
            "queue": "ready",
            "qs": "q=Site+works&page=2",
            "matching": "all",
            "ids": [str(site[0])],  # the page's ticked rows do not limit it
            "reason": "Wrong cost codes.",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Rejected 40 items." in response.text
    states = dict(ExportRequest.objects.filter(pk__in=site + other).values_list("pk", "state"))
    assert {states[pk] for pk in site} == {RequestState.REJECTED}
    assert {states[pk] for pk in other} == {RequestState.PENDING}


def test_too_many_matching_is_refused_with_the_number(monkeypatch: Any) -> None:
    account = seed_demo()
    site = waiting(account, 40, "Site works")
    monkeypatch.setattr(bulk_selection, "MAX_MATCHING", 30)
    response = client_of("approver").post(
        reverse("export-accept-selected", kwargs={"account": account.slug}),
        {"queue": "ready", "qs": "q=Site+works", "matching": "all", "ids": [str(site[0])]},
    )
    assert response.status_code == 400
    assert "More than 30 items match" in response.text
    assert not ExportRequest.objects.filter(pk__in=site).exclude(state=RequestState.PENDING)
