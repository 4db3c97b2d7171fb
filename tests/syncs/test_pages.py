"""The sync pages in the browser's terms: schedules, Sync now and its bar, the sync log and a
run's page, Ready to Import, job costs on a project and payments on an invoice; who may use
what comes from the seed's rows, not from the code's table."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from connectors.sandbox import console
from erp.connections import account_key
from integrations import models as m
from permissions.levels import Level, Tool
from syncs import runner
from syncs.models import StagedRecord, SyncRun, SyncSchedule, Trigger
from syncs.services import sync_request
from tests.factories import CompanyFactory, ProjectFactory, member
from tests.permissions.seed_matrix import SEED_ROWS

LEVELS = (Level.NONE, Level.READ_ONLY, Level.STANDARD, Level.ADMIN)
ROW = {row.action: row for row in SEED_ROWS}
# The button of each kind of sync, and the seed row that says who may press it.
BUTTONS = {
    "vendors": "refresh_companies",  # Refresh the Companies List for ERP
    "jobs": "add_erp_job",  # Add an ERP Job to Procore (Refresh job list)
    "sub_jobs": "import_sub_job",
    "prime_contracts": "import_prime_contract",
    "budgets": "import_budget",
    "standard_cost_codes": "refresh_project_cost_codes",
    "job_cost_transactions": "sync_job_cost_transactions",
    "payments": "sync_paid_invoices",
}


def url(name: str, account, **kwargs) -> str:
    return reverse(name, kwargs={"account": account.slug, **kwargs})


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at_level(account, level: Level):
    return member(account, levels={Tool.ERP_INTEGRATIONS: level})


@pytest.mark.parametrize("kind", sorted(BUTTONS))
def test_sync_now_is_allowed_per_the_seed(account, kind):
    allowed_levels = ROW[BUTTONS[kind]].erp_levels
    for level in LEVELS:
        user = at_level(account, level)
        answer = browser(user).post(url("sync-now", account, sync=kind))
        if level in allowed_levels:
            assert answer.status_code == 302, (kind, level)
        else:
            assert answer.status_code == 403, (kind, level)
    assert SyncRun.objects.filter(kind=kind).count() == 1  # the allowed ones got the same run


def test_schedules_page_for_erp_admins_with_errors_in_place(account):
    allowed = ROW["configure_sync_schedule"].erp_levels
    for level in LEVELS:
        page = browser(at_level(account, level)).get(url("sync-schedules", account))
        assert page.status_code == (200 if level in allowed else 403), level
    admin = browser(at_level(account, Level.ADMIN))
    page = admin.get(url("sync-schedules", account))
    for label in ("Companies", "Job cost transactions", "Payments", "Hourly", "Daily at"):
        assert label in page.text
    bad = admin.post(
        url("sync-schedules", account), {"kind": "jobs", "every": "cron", "cron": "0 25 * * *"}
    )
    assert bad.status_code == 400
    assert "Not a valid cron expression" in bad.text
    assert SyncSchedule.objects.get(kind="jobs").every == "hourly"
    good = admin.post(
        url("sync-schedules", account), {"kind": "jobs", "every": "cron", "cron": "0 6 * * 1-5"}
    )
    assert good.status_code == 302
    page = admin.get(url("sync-schedules", account))
    assert "Schedule of jobs saved." in page.text and "0 6 * * 1-5" in page.text


def test_sync_now_from_a_bar_answers_the_bar_with_the_run(account):
    admin = at_level(account, Level.ADMIN)
    bar = browser(admin).post(url("sync-now", account, sync="vendors"), HTTP_HX_REQUEST="true")
    assert bar.status_code == 200
    assert "Waiting for a worker" in bar.text and 'hx-trigger="every 1s"' in bar.text
    again = browser(admin).post(url("sync-now", account, sync="vendors"), HTTP_HX_REQUEST="true")
    assert "was already going" in again.text
    assert SyncRun.objects.count() == 1


def test_sync_log_filters_and_a_runs_page_lists_the_records_not_taken(account):
    ledger = account_key(account)
    console.vendor_save(ledger, number="V-7001", name="Good Vendor")
    run, _ = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    runner.execute(run.pk)
    SyncRun.objects.filter(pk=run.pk).update(
        invalid=1,
        errors=[{"origin_id": "V-7002", "origin_code": "V-7002", "message": "name: missing."}],
    )
    viewer = at_level(account, Level.STANDARD)  # View sync logs: Standard (the app's own row)
    log = browser(viewer).get(url("sync-log", account), {"kind": "vendors", "state": "succeeded"})
    assert log.status_code == 200 and f"#{run.pk}" in log.text
    empty = browser(viewer).get(url("sync-log", account), {"state": "failed"})
    assert f"#{run.pk}" not in empty.text and "No syncs match these filters." in empty.text
    page = browser(viewer).get(url("sync-run", account, run=run.pk))
    assert "name: missing." in page.text and "V-7002" in page.text
    assert f"item_type=sync_run&item_id={run.pk}" in page.text  # its ERP calls
    assert (
        browser(at_level(account, Level.READ_ONLY)).get(url("sync-log", account)).status_code == 403
    )


def test_a_run_of_another_account_is_not_found(account, other_account):
    run, _ = sync_request(account=other_account, kind="vendors", trigger=Trigger.SCHEDULE)
    admin = at_level(account, Level.ADMIN)
    assert browser(admin).get(url("sync-run", account, run=run.pk)).status_code == 404
    assert browser(admin).post(url("sync-run", account, run=run.pk)).status_code == 404


def test_ready_to_import_lists_staged_records_with_status_filters(account):
    ledger = account_key(account)
    console.vendor_save(ledger, number="V-8001", name="Alpine Electric", city="Golden")
    console.vendor_save(ledger, number="V-8002", name="Boulder Glass", city="Boulder")
    run, _ = sync_request(account=account, kind="vendors", trigger=Trigger.SCHEDULE)
    runner.execute(run.pk)
    StagedRecord.objects.filter(origin_id="V-8002").update(
        status="invalid", invalid_reason="tax_id: missing."
    )
    viewer = at_level(account, Level.READ_ONLY)
    page = browser(viewer).get(url("ready-to-import", account), {"type": "vendors"})
    assert page.status_code == 200
    assert "Alpine Electric" in page.text and "Golden" in page.text
    assert "Boulder Glass" not in page.text  # invalid: not ready
    invalid = browser(viewer).get(
        url("ready-to-import", account), {"type": "vendors", "status": "invalid"}
    )
    assert "Boulder Glass" in invalid.text and "tax_id: missing." in invalid.text
    found = browser(viewer).get(url("ready-to-import", account), {"type": "vendors", "q": "alpine"})
    assert "Alpine Electric" in found.text
    staged = StagedRecord.objects.get(origin_id="V-8001")
    detail = browser(viewer).get(url("staged-record", account, record=staged.pk))
    assert detail.status_code == 200 and "V-8001" in detail.text
    nobody = member(account)
    assert browser(nobody).get(url("ready-to-import", account)).status_code == 403


def test_a_projects_page_shows_job_to_date_costs_and_an_invoice_its_payments(account):
    synced = {"erp_state": m.ErpState.SYNCED}
    project = ProjectFactory(account=account, origin_id="J-1001", sync_job_costs=True, **synced)
    vendor = CompanyFactory(account=account, origin_id="V-1001", **synced)
    m.JobCostTransaction.objects.create(
        account=account,
        project=project,
        transaction_date="2026-10-01",
        amount="1250.00",
        origin_id="JC-1",
        **synced,
    )
    commitment = m.Commitment.objects.create(
        account=account, project=project, vendor=vendor, number="SC-001", title="Concrete"
    )
    invoice = m.SubcontractorInvoice.objects.create(
        account=account,
        commitment=commitment,
        number="1",
        origin_id="INV-1",
        **synced,
        billing_date="2026-10-31",
        period_start="2026-10-01",
        period_end="2026-10-31",
    )
    m.Payment.objects.create(
        account=account,
        project=project,
        invoice=invoice,
        amount="400.00",
        status="partial",
        payment_date="2026-11-10",
        method="check",
        check_number="1042",
        origin_id="PAY-1",
        **synced,
    )
    admin = member(account, levels=dict.fromkeys(Tool, Level.ADMIN))
    page = browser(admin).get(url("record-detail", account, kind="projects", pk=project.pk))
    assert "Job costs from the ERP" in page.text and "1,250.00" in page.text.replace(
        "1250.00", "1,250.00"
    )
    assert "Sync job costs" in page.text
    page = browser(admin).get(
        url("record-detail", account, kind="subcontractor-invoices", pk=invoice.pk)
    )
    assert "Paid to date" in page.text and "400.00" in page.text and "1042" in page.text
    assert "Partially paid" in page.text


def test_record_lists_show_their_sync_bar_to_those_who_may_press_it(account):
    admin = member(account, levels=dict.fromkeys(Tool, Level.ADMIN))
    page = browser(admin).get(url("record-list", account, kind="companies"))
    assert "Refresh companies list" in page.text
    assert "?type=vendors" in page.text and "Waiting in Ready to Import" in page.text
    reader = member(
        account, levels={Tool.ERP_INTEGRATIONS: Level.READ_ONLY, Tool.DIRECTORY: Level.ADMIN}
    )
    page = browser(reader).get(url("record-list", account, kind="companies"))
    assert "Companies" in page.text and "Refresh companies list" not in page.text
