"""A bulk decision over a full page of the Ready to Export queue says what it is doing while
the answer is on its way ("Rejecting 25 items…", announced to screen readers) and keeps its
buttons disabled until then; the answer (held back here so the state can be seen) puts the
bar back, with the note of what was done."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from demo.seed import seed_demo
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def waiting(account: Any, count: int) -> None:
    pm = get_user_model().objects.get(username="pm")
    now = timezone.now()
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=8_000_000 + i,
            state=RequestState.PENDING,
            summary={"label": f"SC-{i:04d} Site works {i}", "amount": "1250.00"},
            sent_by=pm,
            sent_at=now - datetime.timedelta(minutes=i),
        )
        for i in range(count)
    )


def test_a_bulk_reject_says_it_is_working(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    waiting(account, 30)
    page = open_page()
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/ready-to-export/?q=Site+works")
    rows = page.locator("tr[data-queue-row]")
    expect(rows).to_have_count(25)
    status = page.locator("[data-bulk-progress]")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_have_text("")

    page.get_by_label("Select all").check()
    page.get_by_label("Reason for rejecting").fill("Wrong cost codes on these.")
    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route("**/erp/requests/reject/", hold)
    reject = page.get_by_role("button", name="Reject selected")
    accept = page.get_by_role("button", name="Accept selected")
    reject.click()
    expect(status).to_have_text("Rejecting 25 items…")
    expect(reject).to_be_disabled()
    expect(accept).to_be_disabled()
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"queue_bulk_progress_{width}.png"))
    assert len(held) == 1
    assert ExportRequest.objects.filter(account=account, state=RequestState.REJECTED).count() == 0

    held[0].continue_()
    expect(page.locator("#queue")).to_contain_text("Rejected 25 items.")
    expect(rows).to_have_count(5)
    expect(page.get_by_role("button", name="Reject selected")).to_be_enabled()
    expect(page.locator("[data-bulk-progress]")).to_have_text("")
    rejected = ExportRequest.objects.filter(account=account, state=RequestState.REJECTED)
    assert rejected.filter(summary__label__startswith="SC-").count() == 25


def test_nothing_selected_says_nothing_and_leaves_the_buttons(
    live_server: Any, open_page: Any
) -> None:
    account = seed_demo()
    waiting(account, 3)
    page = open_page()
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/ready-to-export/?q=Site+works")
    page.get_by_role("button", name="Accept selected").click()
    expect(page.locator(".alert").first).to_be_visible()
    expect(page.locator("[data-bulk-progress]")).to_have_text("")
    expect(page.get_by_role("button", name="Accept selected")).to_be_enabled()


def test_all_matching_decides_beyond_the_page(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    """ "All 30 matching" ticks the page's rows, says "Rejecting 30 items…" and rejects the 30,
    the 5 on the next page included; un-ticking a row clears it."""
    account = seed_demo()
    waiting(account, 30)
    page = open_page()
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/ready-to-export/?q=Site+works")
    matching = page.get_by_label("All 30 matching")
    rows = page.locator("input[name=ids]")
    matching.check()
    for i in range(25):
        expect(rows.nth(i)).to_be_checked()
    rows.nth(3).uncheck()
    expect(matching).not_to_be_checked()
    matching.check()
    expect(rows.nth(3)).to_be_checked()

    page.get_by_label("Reason for rejecting").fill("Wrong cost codes on these.")
    held: list[Any] = []
    page.route("**/erp/requests/reject/", lambda route: held.append(route))
    page.get_by_role("button", name="Reject selected").click()
    status = page.locator("[data-bulk-progress]")
    expect(status).to_have_text("Rejecting 30 items…")
    expect(page.get_by_role("button", name="Accept selected")).to_be_disabled()
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"queue_all_matching_{width}.png"))
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#queue")).to_contain_text("Rejected 30 items.")
    expect(page.locator("tr[data-queue-row]")).to_have_count(0)
    rejected = ExportRequest.objects.filter(account=account, state=RequestState.REJECTED)
    assert rejected.filter(summary__label__startswith="SC-").count() == 30
