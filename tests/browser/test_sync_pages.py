"""The ERP admin's sync pages in a real browser, at a desktop and a tablet width: Ready to
Import with *Refresh job list* (the bar answers in place with the run's result), the sync log
and a run's page, the schedules with a bad cron refused in place, a project's job costs, an
owner invoice's payments and the sandbox ERP's console. Nothing spills sideways; states are
words, not colours alone."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from connectors.sandbox import console
from connectors.sandbox.seed import ensure_records
from demo.seed import seed_demo
from erp.connections import account_key
from integrations.models import OwnerInvoice, Payment, Project
from syncs import runner
from syncs.models import Trigger
from syncs.services import sync_request
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def paid_in_the_erp(account: Any) -> OwnerInvoice:
    """An owner invoice the ERP received, paid in part by a check that bounced (voided) and
    then by a wire, as the ERP's console records them; the payments sync brings both."""
    invoice = OwnerInvoice.objects.filter(
        account=account, prime_contract__project__erp_state="synced", erp_state="unsent"
    ).first()
    assert invoice is not None
    invoice.origin_id, invoice.erp_state = "OINV-9001", "synced"
    invoice.save()
    ledger = account_key(account)
    due = {"type": "owner_invoice", "amount_due": "250000.00"}
    ensure_records(ledger, "owner_invoice", [("OINV-9001", str(invoice), due)])
    day = datetime.date(2026, 11, 20)
    bounced = console.payment_post(
        ledger,
        invoice="OINV-9001",
        amount="100000",
        paid_on=day,
        method="check",
        check_number="5117",
    )
    console.payment_void(ledger, number=bounced.number)
    console.payment_post(ledger, invoice="OINV-9001", amount="100000", paid_on=day, method="wire")
    run, _ = sync_request(account=account, kind="payments", trigger=Trigger.SCHEDULE)
    runner.execute(run.pk)
    assert Payment.objects.filter(owner_invoice=invoice).count() == 2
    return invoice


def test_sync_pages_at_desktop_and_tablet_widths(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = f"{live_server.url}/a/{account.slug}"
    project = Project.objects.get(account=account, number="2401")
    invoice = paid_in_the_erp(account)
    page = open_page()
    log_in(page, live_server.url, "erpadmin")

    def look(name: str, width: int) -> None:
        assert not overflows(page), f"{name} spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"{name}_{width}.png"), full_page=True)

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})

        page.goto(f"{base}/erp/ready-to-import/?type=jobs")
        expect(page.get_by_role("heading", name="Ready to Import: Jobs")).to_be_visible()
        rows = page.locator("table.records tbody tr")
        expect(rows.first).to_contain_text("Ready to Import")  # the status, in words
        bar = page.locator("#sync-bar-jobs")
        last_run = bar.locator("a[href*='/sync/runs/']").first
        before = last_run.get_attribute("href")
        bar.get_by_role("button", name="Refresh job list").click()
        expect(last_run).not_to_have_attribute("href", before or "")  # the new run, not the last
        expect(bar).to_contain_text("Succeeded")
        expect(bar).to_contain_text("0 fetched")  # the demo's first sync brought them all
        look("ready_to_import", width)

        page.goto(f"{base}/erp/sync/log/")
        expect(page.get_by_role("heading", name="Sync log")).to_be_visible()
        newest = page.locator("table.records tbody tr").first
        expect(newest).to_contain_text("Succeeded")
        expect(newest).to_contain_text("Jobs")
        expect(newest).to_contain_text("Sync now by erpadmin")
        look("sync_log", width)
        page.locator("table.records tbody tr a").first.click()
        expect(page.get_by_role("link", name="Its ERP calls")).to_be_visible()
        look("sync_run", width)

        page.goto(f"{base}/erp/sync/schedules/")
        row = page.locator("#schedule-jobs")
        row.get_by_label("Sync").select_option("cron")
        row.get_by_label("Cron expression").fill("0 25 * * *")
        row.get_by_role("button", name="Save").click()
        expect(page.locator("#schedule-jobs .error")).to_contain_text("Not a valid cron")
        look("sync_schedules_error", width)
        page.goto(f"{base}/erp/sync/schedules/")
        expect(page.locator("#schedule-payments")).to_contain_text("02:00")
        look("sync_schedules", width)

        page.goto(f"{base}/projects/{project.pk}/")
        panel = page.locator("section", has_text="Job costs from the ERP")
        expect(panel).to_contain_text("Job to date")
        expect(panel.get_by_role("button", name="Sync job costs")).to_be_visible()
        look("project_job_costs", width)

        page.goto(f"{base}/owner-invoices/{invoice.pk}/")
        payments = page.locator("section", has_text="Paid to date")
        expect(payments).to_contain_text("Balance")
        expect(payments).to_contain_text("Void")
        expect(payments).to_contain_text("Paid to date100,000.00")
        look("owner_invoice_payments", width)

        page.goto(f"{base}/erp/sandbox/console/")
        expect(page.get_by_role("heading", name="ERP console")).to_be_visible()
        look("sandbox_console", width)
