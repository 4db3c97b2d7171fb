"""A bulk accept in a real browser: the queue shows the exports' progress in place, the panel
polls until every item has been exported or has failed, then says so and links to the
failures. The workers are stood in for by the test, which moves the requests itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from approvals import export_tasks
from approvals.models import ExportRequest, RequestState
from demo.seed import seed_demo
from tests.browser.test_layout import log_in, off_screen, overflow
from tests.factories import demo_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect
S = RequestState
LIST = re.compile(r"/erp/ready-to-import/(\?.*)?$")


def queued(account: Any, n: int) -> list[ExportRequest]:
    sender, now = demo_user("pm"), timezone.now()
    return ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type="commitment",
            item_id=700_000 + i,
            state=S.PENDING,
            sent_by=sender,
            sent_at=now - dt.timedelta(minutes=n - i),
            summary={"label": f"Batch SC-{i:02}", "vendor": "Acme Steel", "amount": "250.00"},
        )
        for i in range(n)
    )


def move(ids: list[int], state: str) -> None:
    ExportRequest.objects.filter(pk__in=ids).update(state=state)


def test_bulk_accept_shows_the_exports_until_done(
    live_server: Any, open_page: Any, screenshot_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The live server runs in this process: no worker picks the accepted requests up.
    monkeypatch.setattr(export_tasks, "enqueue", lambda ids: None)
    account = seed_demo()
    ids = [r.pk for r in queued(account, 12)]
    base = live_server.url
    page = open_page()
    log_in(page, base, "approver")
    page.goto(f"{base}/a/{account.slug}/erp/ready-to-export/?q=Batch")
    expect(page.locator("table.queue-table tbody tr")).to_have_count(12)
    csv_link = page.get_by_role("link", name="Export CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"export\.csv\?q=Batch$"))
    page.set_viewport_size({"width": 820, "height": 900})
    assert overflow(page) == 0
    page.screenshot(path=str(screenshot_dir / "queue_csv_link_820.png"))
    page.get_by_role("checkbox", name="Select all").check()
    page.get_by_role("button", name="Accept selected").click()

    panel = page.locator("#export-batch")
    expect(panel).to_contain_text("Exporting 12 accepted items: 0 exported, 0 failed, 12 waiting")
    expect(page.locator("#queue .messages")).to_contain_text("Accepted 12 items.")
    expect(panel.locator("progress")).to_have_attribute("value", "0")

    # The workers get through some: the panel catches up by itself (it polls every 2s).
    move(ids[:7], S.SYNCED)
    move(ids[7:8], S.FAILED)
    expect(panel).to_contain_text("7 exported, 1 failed, 4 waiting", timeout=8_000)
    expect(panel.locator("progress")).to_have_attribute("value", "8")
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 900})
        assert overflow(page) == 0, f"the queue scrolls sideways at {width}px"
        assert off_screen(page, "#export-batch *") == [], width
        page.screenshot(path=str(screenshot_dir / f"batch_progress_{width}.png"), full_page=True)

    move(ids[8:11], S.SYNCED)
    move(ids[11:], S.FAILED)
    expect(panel).to_contain_text("Done: 10 exported, 2 failed.", timeout=8_000)
    expect(panel).not_to_have_attribute("hx-trigger", "every 2s")
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"batch_done_{width}.png"))

    # The failures, on their own list.
    panel.get_by_role("link", name="See the 2 that failed in Failed to Export").click()
    expect(page.locator("h1")).to_have_text("Failed to Export")
    expect(page.locator("table.queue-table tbody tr")).to_have_count(2)
    expect(page.locator("#queue")).to_contain_text("(one export batch)")


def test_adding_many_staged_records_says_it_is_importing(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    """Ready to Import adds the selected records in the request itself: while it runs, the bar
    says "Importing…" (the answer is held back here so the state can be seen)."""
    account = seed_demo()
    page = open_page()
    log_in(page, live_server.url, "erpadmin")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/ready-to-import/?type=vendors")
    busy = page.locator("#bulk-busy")
    expect(busy).to_be_hidden()
    page.locator("input[name=ids]").first.check()
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "POST":
            held.append(route)
        else:
            route.continue_()

    page.route(LIST, hold)
    page.get_by_role("button", name="Add selected to the portal").click()
    expect(busy).to_be_visible()
    expect(busy).to_have_text("Importing…")
    expect(page.get_by_role("button", name="Add selected to the portal")).to_be_disabled()
    page.set_viewport_size({"width": 820, "height": 900})
    page.screenshot(path=str(screenshot_dir / "ready_to_import_busy_820.png"))
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator(".messages")).to_contain_text("1 done")
    expect(busy).to_be_hidden()
