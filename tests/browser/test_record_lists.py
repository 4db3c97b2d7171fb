"""Record lists in a browser, at a desktop and a tablet width: a click on a heading sorts,
choosing a filter or typing in the search box filters at once (no Filter click), the address
follows so the list can be bookmarked; a commitment's page sums it up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.seed import seed_demo
from integrations.models import Commitment
from tests.browser.test_approval_flow import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 820)


def overflows(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


def first_cells(page: Any) -> list[str]:
    return [
        t.strip() for t in page.locator("#record-results tbody tr td:first-child").all_inner_texts()
    ]


def test_commitments_sort_filter_and_sum_up(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = f"{live_server.url}/a/{account.slug}"
    commitment = (
        Commitment.objects.filter(account=account, change_orders__isnull=False).first()
        or Commitment.objects.filter(account=account).first()
    )
    assert commitment is not None
    page = open_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server.url, "pm")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/commitments/")

        # Sort: a click on "Number" sorts ascending, a second click descending.
        page.locator("#record-results thead").get_by_role("link", name="Number").click()
        number = page.locator("#record-results th", has_text="Number")
        expect(number).to_have_attribute("aria-sort", "ascending")
        ascending = first_cells(page)
        assert ascending == sorted(ascending)
        page.locator("#record-results thead").get_by_role("link", name="Number").click()
        expect(number).to_have_attribute("aria-sort", "descending")
        descending = first_cells(page)
        assert descending == sorted(descending, reverse=True) and descending != ascending

        # Filter as you choose: no Filter click; the address follows; the order stays.
        status = page.locator("form.filters select[name=status]")
        status.select_option("approved")
        expect(page).to_have_url(re.compile(r"status=approved"))
        assert "ordering=-number" in page.url
        expect(page.locator("#record-results")).not_to_contain_text("Draft")
        assert not overflows(page), f"the sorted list spills sideways at {width} px"
        page.screenshot(
            path=str(screenshot_dir / f"commitments_sorted_filtered_{width}.png"), full_page=True
        )

        # Search as you type: the list follows after a short pause.
        page.locator("form.filters input[name=q]").press_sequentially(commitment.number[:6])
        expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(commitment.number[:6])))
        expect(page.locator("#record-results tbody")).to_contain_text(commitment.number[:6])

        # A bookmarked (reloaded) filtered list shows the same.
        page.reload()
        expect(page.locator("form.filters select[name=status]")).to_have_value("approved")
        expect(number).to_have_attribute("aria-sort", "descending")

        page.goto(f"{base}/commitments/{commitment.pk}/")
        summary = page.locator("section.commitment-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("Revised value")
        expect(summary).to_contain_text("Remaining to invoice")
        assert not overflows(page), f"the commitment page spills sideways at {width} px"
        page.screenshot(
            path=str(screenshot_dir / f"commitment_summary_{width}.png"), full_page=True
        )
    assert not problems, problems
