"""The Audit page in a real browser, at a desktop and a tablet width: an ERP admin reaches it from
the tool's tabs, reads the demo's history in words, narrows it with a filter, downloads the CSV,
and opens one record's history from the record's page; nothing spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations.models import Commitment
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_an_erp_admin_reads_and_narrows_the_audit_trail(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    audited = (
        AuditEvent.objects.filter(account=account, item_type="commitment")
        .values_list("item_id", flat=True)
        .first()
    )
    commitment = Commitment.objects.get(pk=audited)
    page = open_page()
    log_in(page, live_server.url, "erpadmin")
    page.goto(f"{live_server.url}/a/{account.slug}/")
    page.locator("nav.tabs").get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("nav.tabs a.active")).to_have_text("Audit")
    rows = page.locator("table.audit-trail tbody tr")
    expect(rows.first).to_be_visible()
    total = AuditEvent.objects.filter(account=account).count()
    expect(page.locator("main")).to_contain_text(f"{total} change")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"the audit page spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"audit_{width}.png"), full_page=False)

    # Narrow to one action: every row left says it.
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.get_by_label("Action").select_option("accept")
    page.get_by_role("button", name="Filter").click()
    accepted = AuditEvent.objects.filter(account=account, verb="accept").count()
    expect(page.locator("main")).to_contain_text(f"{accepted} change")
    expect(rows).to_have_count(min(accepted, 50))
    for i in range(min(accepted, 5)):
        expect(rows.nth(i).locator("td").nth(2)).to_have_text("Accepted for export")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert len(lines) == accepted + 1  # the header and exactly the filtered rows

    # One record's history, from its page.
    page.goto(f"{live_server.url}/a/{account.slug}/commitments/{commitment.pk}/")
    page.locator(".page-head").get_by_role("link", name="History").click()
    expect(page.locator(".crumbs")).to_contain_text("Commitment")
    own = AuditEvent.objects.filter(
        account=account, item_type="commitment", item_id=commitment.pk
    ).count()
    expect(page.locator("main")).to_contain_text(f"{own} change")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"a record's history spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"audit_record_{width}.png"), full_page=True)
    page.locator(".crumbs a").click()
    expect(page).to_have_url(f"{live_server.url}/a/{account.slug}/commitments/{commitment.pk}/")
