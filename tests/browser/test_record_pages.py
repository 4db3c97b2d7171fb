"""The record pages built from the registry of kinds, at a desktop and a tablet width: the
export workflow's section sits on an exportable record's page (added by registration), a
record that is not exported has none, and nothing spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.seed import seed_demo
from integrations.models import Commitment, DirectCost
from tests.browser.test_approval_flow import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = (1280, 820)


def overflows(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))


def test_record_pages_at_desktop_and_tablet_widths(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = f"{live_server.url}/a/{account.slug}"
    commitment = Commitment.objects.filter(account=account, status="approved").first()
    cost = DirectCost.objects.filter(account=account).first()
    assert commitment is not None and cost is not None
    page = open_page()
    log_in(page, live_server.url, "pm")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})

        page.goto(f"{base}/commitments/{commitment.pk}/")
        section = page.locator("#erp-workflow")
        expect(section).to_be_visible()
        expect(section.locator(".big-state")).to_have_text("Not sent")
        expect(page.get_by_role("button", name="Send to ERP")).to_be_visible()
        expect(page.locator("dl.fields")).to_contain_text(commitment.title)
        assert not overflows(page), f"the record page spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"commitment_page_{width}.png"), full_page=True)

        page.goto(f"{base}/direct-costs/{cost.pk}/")
        expect(page.locator("#erp-workflow")).to_have_count(0)
        expect(page.locator("dl.fields")).to_contain_text("ERP status")

        page.goto(f"{base}/commitments/")
        expect(page.locator("table.records tbody tr").first).to_be_visible()
        assert not overflows(page), f"the list spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"commitment_list_{width}.png"), full_page=True)
        page.goto(f"{base}/commitments/{commitment.pk}/edit/")
        expect(page.get_by_role("button", name="Save")).to_be_visible()
        assert not overflows(page), f"the form spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"commitment_form_{width}.png"), full_page=True)
