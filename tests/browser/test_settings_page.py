"""The Settings page in a real browser, at a desktop and a tablet width: an ERP admin finds each
switch under its heading with its label beside the box, a bad cost-code filter is refused in
place with the reason, and a saved change is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from permissions.levels import Level, Tool
from tests.browser.test_cost_code_pages import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import AccountFactory, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_an_erp_admin_changes_the_advanced_settings(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = AccountFactory(name="Summit Ridge Builders", slug="summit")
    member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    page = open_page()
    log_in(page, live_server.url, "erpadmin")
    page.goto(f"{live_server.url}/a/{account.slug}/settings/")

    for heading in ("Accounting approval", "Direct exports", "Exports", "Imports and syncs"):
        expect(page.locator("legend").get_by_text(heading, exact=True)).to_be_visible()
    contract = page.get_by_label("Use the portal's contract numbers")
    expect(contract).to_be_checked()
    # The box sits on its label's line, not floating away from it.
    box, label = contract.bounding_box(), page.locator("label", has=contract).bounding_box()
    assert box and label and abs(box["y"] - label["y"]) < 12 and box["x"] - label["x"] < 12

    contract.uncheck()
    page.get_by_label("Add new cost code and cost type pairs to budgets").check()
    page.get_by_label("Standard cost codes to import").fill("01-*, 03-<3>")
    page.get_by_role("button", name="Save").click()
    field = page.locator(".field.has-error")
    expect(field).to_contain_text("'03-<3>' is not a cost code pattern")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"the settings page spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"settings_error_{width}.png"), full_page=True)
    account.refresh_from_db()
    assert account.use_portal_contract_numbers is True  # refused: nothing changed

    page.get_by_label("Standard cost codes to import").fill("01-*, 03-3*")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    expect(page.get_by_label("Use the portal's contract numbers")).not_to_be_checked()
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.screenshot(path=str(screenshot_dir / f"settings_{WIDTHS[0]}.png"), full_page=True)
    account.refresh_from_db()
    assert (account.use_portal_contract_numbers, account.add_budget_pairs) == (False, True)
    assert account.standard_code_filter == "01-*, 03-3*"
