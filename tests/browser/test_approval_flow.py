"""The accounting-acceptance round trip in a real browser: the project manager sends two
commitments, the approver accepts one and rejects the other, and the project manager fixes the
rejected one and sends it again. Every step is checked on what the page shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from demo.seed import seed_demo
from integrations.models import Commitment
from tests.browser.helpers import log_in

# serialized_rollback: see tests/approvals/test_races.py (a later serialized test restores the
# content types the database was created with).
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

YELLOW = "rgb(201, 138, 0)"  # --yellow in portal.css
BLUE = "rgb(29, 111, 216)"  # --blue


def state_badge(page: Any) -> Any:
    return page.locator("#erp-workflow .big-state")


def dot_colour(page: Any) -> str:
    return str(
        page.eval_on_selector(
            "#erp-workflow .big-state .dot", "el => getComputedStyle(el).backgroundColor"
        )
    )


def test_send_accept_reject_and_resend(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    first, second = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", project__erp_state="synced"
    ).order_by("pk")[:2]
    refused = Commitment.objects.filter(
        account=account, status="draft", vendor__erp_state="unsent"
    ).first()
    base = live_server.url
    page_of = {
        c.pk: f"{base}/a/{account.slug}/commitments/{c.pk}/" for c in (first, second, refused)
    }
    queue = f"{base}/a/{account.slug}/erp/ready-to-export/"

    # 1. The project manager sends both (htmx swaps the item's ERP section in place).
    pm = open_page()
    log_in(pm, base, "pm")
    for item in (first, second):
        pm.goto(page_of[item.pk])
        expect(state_badge(pm)).to_have_text("Not sent")
        pm.get_by_role("button", name="Send to ERP").click()
        expect(state_badge(pm)).to_have_text("Ready to Export")
        expect(pm.locator("#erp-workflow")).to_contain_text("was sent for accounting acceptance")
        expect(pm.get_by_role("button", name="Retrieve from ERP")).to_be_visible()
        assert dot_colour(pm) == BLUE
    expect(pm.locator("nav.tabs")).not_to_contain_text("Ready to Export")  # no ERP tool rights
    # One the ERP would refuse: every broken rule is listed in place (a 400 htmx swaps in).
    pm.goto(page_of[refused.pk])
    pm.get_by_role("button", name="Send to ERP").click()
    problems = pm.locator("#erp-workflow .problems")
    expect(problems).to_contain_text("Only an approved commitment can be sent.")
    expect(problems).to_contain_text("The vendor must be synced with the ERP first.")
    expect(state_badge(pm)).to_have_text("Not sent")

    # 2. The approver finds both in the queue.
    approver = open_page()
    log_in(approver, base, "approver")
    approver.goto(queue)
    expect(approver.locator("nav.tabs")).to_contain_text("Ready to Export (2)")
    expect(approver.locator(".type-tabs a.active")).to_have_text("All 2")
    rows = approver.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(str(first))
    expect(rows.nth(0)).to_contain_text("Jake Sullivan")
    expect(rows.nth(1)).to_contain_text(str(second))
    approver.screenshot(path=str(screenshot_dir / "ready_to_export.png"), full_page=True)

    # ... accepts the first in the dialog (the commitment asks for no ERP fields) ...
    rows.filter(has_text=str(first)).get_by_role("link", name="Accept").click()
    dialog = approver.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Accept for export: {first}")
    expect(dialog).to_contain_text("The ERP asks for nothing more")
    approver.screenshot(path=str(screenshot_dir / "accept_dialog.png"))
    dialog.get_by_role("button", name="Accept").click()
    expect(dialog).to_be_hidden()
    expect(approver.locator("#queue .messages")).to_contain_text(f"Accepted {first}.")
    expect(rows).to_have_count(1)
    expect(approver.locator("#tab-count-ready-to-export")).to_have_text("(1)")

    # ... and rejects the second, with a reason (an empty one is refused in the dialog).
    rows.filter(has_text=str(second)).get_by_role("link", name="Reject").click()
    expect(dialog).to_be_visible()
    dialog.locator("textarea[name=reason]").fill("Retainage should be 5%, not 10%.")
    dialog.get_by_role("button", name="Reject").click()
    expect(dialog).to_be_hidden()
    expect(approver.locator("#queue .messages")).to_contain_text(f"Rejected {second}.")
    expect(approver.locator("#queue")).to_contain_text(
        "Nothing is waiting for accounting acceptance."
    )
    expect(approver.locator("#tab-count-ready-to-export")).to_have_text("(0)")

    # 3. The project manager sees the first accepted, the second rejected in yellow with why.
    pm.goto(page_of[first.pk])
    # Accepted, then exported by the export pipeline (eager in tests) as soon as it commits.
    expect(state_badge(pm)).to_have_text(re.compile("Accepted|Exporting|Synced"))
    expect(pm.locator("#erp-workflow table")).to_contain_text("Priya Natarajan")
    pm.goto(page_of[second.pk])
    expect(state_badge(pm)).to_have_text("Rejected")
    assert dot_colour(pm) == YELLOW
    reason = pm.locator(".reject-reason")
    expect(reason).to_contain_text("Rejected by Priya Natarajan")
    expect(reason).to_contain_text("Retainage should be 5%, not 10%.")
    pm.screenshot(path=str(screenshot_dir / "rejected_item.png"), full_page=True)

    # ... edits it ...
    pm.get_by_role("link", name="Edit").click()
    pm.fill("#id_description", "Furnish and install, retainage corrected to 5%.")
    pm.get_by_role("button", name="Save").click()
    expect(pm.locator(".messages")).to_contain_text("saved")
    expect(pm.locator("dl.fields")).to_contain_text("retainage corrected to 5%")

    # ... and sends it again.
    pm.get_by_role("button", name="Re-send to ERP").click()
    expect(state_badge(pm)).to_have_text("Ready to Export")
    expect(pm.locator(".reject-reason")).to_have_count(0)
    history = pm.locator("#erp-workflow .history-table tbody tr")  # newest first
    expect(history.nth(0)).to_contain_text("Sent again to the ERP")
    expect(history.nth(1)).to_contain_text("Record updated")
    expect(history.nth(2)).to_contain_text("Retainage should be 5%, not 10%.")

    # 4. Back in the approver's queue, marked as a re-send.
    approver.goto(queue)
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text(str(second))
    expect(rows.nth(0)).to_contain_text("Re-sent")
    assert re.search(r"Ready to Export \(1\)", approver.locator("nav.tabs").inner_text())
    # The type tabs filter in place (htmx) and keep the address bar in step.
    approver.locator(".type-tabs a", has_text="Companies").click()
    expect(approver.locator("#queue")).to_contain_text("Nothing matches these filters.")
    expect(approver).to_have_url(re.compile(r"\?type=company$"))
    approver.locator(".type-tabs a", has_text="Commitments").click()
    expect(rows).to_have_count(1)
    expect(approver.locator(".type-tabs a.active")).to_have_text("Commitments 1")
