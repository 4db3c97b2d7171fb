"""The approver works the Ready to Export queue from the keyboard alone: moves with j/k, ticks
with x, accepts with a, rejects with r and a reason sent by Enter, searches with / and reads the
keys with ?. The requests' states are checked in the database."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from approvals.models import ExportRequest
from approvals.services import export_send
from demo.seed import seed_demo
from integrations.models import Commitment
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_queue_from_the_keyboard(live_server: Any, open_page: Any, screenshot_dir: Path) -> None:
    account = seed_demo()
    items = list(
        Commitment.objects.filter(
            account=account,
            status="approved",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:3]
    )
    assert len(items) == 3
    pm = get_user_model().objects.get(username="pm")
    sent = [export_send(item=item, actor=pm) for item in items]

    page = open_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/ready-to-export/")
    expect(page.locator(".keys-hint")).to_contain_text("j/k to move, x to select")
    rows = page.locator("table.queue-table tbody tr[data-queue-row]")
    expect(rows).to_have_count(3)
    current = page.locator('tr[data-queue-row][aria-current="true"]')
    expect(current).to_have_count(0)

    # j moves down (the first press lands on the first row), k back up, ArrowDown too.
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(current).to_have_count(1)
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(rows.nth(1).locator("[data-queue-open]")).to_be_focused()

    # x ticks the current row's box and x again clears it; Space ticks it too.
    box = rows.nth(1).locator("input[name=ids]")
    page.keyboard.press("x")
    expect(box).to_be_checked()
    page.keyboard.press("x")
    expect(box).not_to_be_checked()
    page.keyboard.press(" ")
    expect(box).to_be_checked()
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(screenshot_dir / f"queue_keyboard_{width}.png"), full_page=True)
    page.keyboard.press(" ")
    expect(box).not_to_be_checked()

    # ? shows the keys; keys do nothing while it is open; Escape closes it.
    page.keyboard.press("?")
    help_dialog = page.locator("dialog[data-queue-help]")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Reject the item")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(screenshot_dir / f"queue_keyboard_help_{width}.png"))
    page.keyboard.press("Escape")
    expect(help_dialog).to_be_hidden()

    # / focuses the search box; typing there moves nothing.
    page.keyboard.press("/")
    search = page.locator("#id_q")
    expect(search).to_be_focused()
    page.keyboard.type("jk")
    expect(search).to_have_value("jk")
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    search.fill("")
    page.locator("body").click(position={"x": 5, "y": 5})

    # a accepts the current (second) row in the existing dialog.
    by_id = {f"request-{r.pk}": r for r in sent}
    order = [by_id[str(rows.nth(i).get_attribute("id"))] for i in range(3)]
    first, second, third = order
    page.keyboard.press("a")
    dialog = page.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Accept for export: {second.label}")
    dialog.get_by_role("button", name="Accept").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#queue .messages")).to_contain_text(f"Accepted {second.label}.")
    expect(rows).to_have_count(2)

    # r rejects: the reason is focused, Enter sends it.
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    page.keyboard.press("r")
    expect(dialog).to_be_visible()
    reason = dialog.locator("textarea[name=reason]")
    expect(reason).to_be_focused()
    page.keyboard.type("Wrong cost code.")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#queue .messages")).to_contain_text(f"Rejected {first.label}.")
    expect(rows).to_have_count(1)

    states = dict(
        ExportRequest.objects.filter(pk__in=[r.pk for r in sent]).values_list("pk", "state")
    )
    assert states[first.pk] == "rejected"
    assert states[second.pk] in {"accepted", "exporting", "synced"}
    assert states[third.pk] == "pending"
    assert ExportRequest.objects.get(pk=first.pk).reason == "Wrong cost code."
    assert errors == []


def test_record_list_downloads_its_csv(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    page = open_page()
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/commitments/?ordering=-number")
    link = page.get_by_role("link", name="Download CSV")
    expect(link).to_be_visible()
    for width in (1280, 820):
        page.set_viewport_size({"width": width, "height": 800})
        page.screenshot(path=str(screenshot_dir / f"record_list_csv_{width}.png"))
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "commitments.csv"
    lines = list(csv.reader(io.StringIO(Path(download.path()).read_text())))
    numbers = [row[0] for row in lines[1:]]
    assert numbers == sorted(numbers, reverse=True)
    assert len(numbers) == Commitment.objects.filter(account=account).count()
