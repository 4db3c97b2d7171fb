"""The approver's queue sorts by a click on its Amount and Sent headings, as its Sort choice
does: the first click on Amount puts the highest first, the next the lowest; Sent (oldest first
by default) goes to the newest first; the filters stay; the heading sorting now says so in
``aria-sort``."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from demo.seed import seed_demo
from tests.approvals.test_queue_csv import queued
from tests.factories import signed_in as login

pytestmark = pytest.mark.django_db


def heading_link(page: str, text: str) -> str:
    found = re.search(rf'<a class="sort" href="([^"]+)"[^>]*>{text}', page)
    assert found is not None, f"no sorting link on the {text} heading"
    return html.unescape(found.group(1))


def amounts(page: str) -> list[str]:
    return re.findall(r'<td class="num">([\d,]+\.\d\d)</td>', page)


def test_amount_and_sent_headings_sort_the_queue() -> None:
    account = seed_demo()
    queued(account, 6)
    client = login("approver")
    base = reverse("export-queue", kwargs={"account": account.slug})
    first = client.get(base, {"q": "SC-8"}).text  # a search that stays through the sorting
    by_amount = heading_link(first, "Amount")
    assert "sort=amount_desc" in by_amount and "q=SC-8" in by_amount
    high_first = client.get(by_amount).text
    shown = [float(a.replace(",", "")) for a in amounts(high_first)]
    assert shown == sorted(shown, reverse=True) and len(shown) == 5  # those the search finds
    assert re.search(r'aria-sort="descending"><a class="sort"[^>]*>Amount', high_first)
    low_first = client.get(heading_link(high_first, "Amount")).text
    assert [float(a.replace(",", "")) for a in amounts(low_first)] == sorted(shown)
    # By default the queue is oldest first: Sent says so, and its click asks for the newest.
    assert re.search(r'aria-sort="ascending"><a class="sort"[^>]*>Sent', first)
    assert "sort=newest" in heading_link(first, "Sent")
