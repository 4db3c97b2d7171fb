"""*Unlink from ERP* and *Reset PCCO* in a real browser, at a desktop and a tablet width: the
dialog opens from the record's page, a missing reason and the ERP still holding the record are
said in place (the page intact), and once the ERP deleted it the record is *Not sent* again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.data import DEMO_PASSWORD
from permissions.levels import Level
from tests.browser.helpers import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.integrations.unlinking import delete_in_erp, synced_record, user_at

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def erp_admin(account: Any) -> Any:
    user = user_at(account, Level.ADMIN, username="erp-admin")
    user.first_name, user.last_name = "Morgan", "Reyes"
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def test_unlink_and_reset_at_desktop_and_tablet_widths(
    live_server: Any, open_page: Any, screenshot_dir: Path, account: Any
) -> None:
    erp_admin(account)
    page = open_page()
    log_in(page, live_server.url, "erp-admin")
    base = f"{live_server.url}/a/{account.slug}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        commitment = synced_record(account, "commitments")
        page.goto(f"{base}/commitments/{commitment.pk}/")
        expect(page.locator("#erp-workflow .big-state")).to_have_text("Synced")
        page.get_by_text("Unlink from ERP", exact=True).first.click()
        dialog = page.locator("#unlink-dialog")
        expect(dialog.get_by_label("Why unlink it?")).to_be_visible()
        assert not overflows(page), f"the unlink dialog spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"unlink_dialog_{width}.png"), full_page=True)

        dialog.get_by_role("button", name="Unlink from ERP").click()
        expect(dialog.locator(".error")).to_contain_text("Say why it is unlinked")
        expect(page.locator("dl.fields")).to_contain_text(commitment.title)  # the page intact

        dialog.get_by_label("Why unlink it?").fill("Entered twice: the PO was re-issued")
        dialog.get_by_role("button", name="Unlink from ERP").click()
        expect(dialog.get_by_role("alert")).to_contain_text(
            f"is still in the ERP as {commitment.origin_id}: delete it there first"
        )
        page.screenshot(path=str(screenshot_dir / f"unlink_refused_{width}.png"), full_page=True)

        delete_in_erp(commitment)  # a user of the ERP deletes the purchase order
        dialog.get_by_role("button", name="Unlink from ERP").click()
        expect(page.locator(".messages")).to_contain_text("is unlinked from the ERP")
        expect(page.locator("#erp-workflow .big-state")).to_have_text("Not sent")
        expect(page.locator(".unlinked")).to_contain_text("Entered twice")
        expect(page.locator("#unlink-dialog")).to_have_count(0)
        assert not overflows(page), f"the unlinked page spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"unlink_done_{width}.png"), full_page=True)

        pcco = synced_record(account, "prime-contract-change-orders")
        page.goto(f"{base}/prime-contract-change-orders/{pcco.pk}/")
        page.get_by_text("Reset PCCO", exact=True).first.click()
        expect(page.locator("#reset-dialog")).to_contain_text("delete its copy in the ERP")
        page.screenshot(path=str(screenshot_dir / f"pcco_reset_{width}.png"), full_page=True)
        page.locator("#reset-dialog").get_by_role("button", name="Reset PCCO").click()
        expect(page.locator(".messages")).to_contain_text("delete it there by hand")
        expect(page.locator("#erp-workflow .big-state")).to_have_text("Not sent")
