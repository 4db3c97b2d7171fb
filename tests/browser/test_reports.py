"""The reports in a real browser at a desktop and a tablet width: the ERP admin opens ERP Job
Costs, sees every job's budget against its cost, filters by a job (the page changes as the job is
chosen) and reads the chart and the table; the CSV and PDF download; the job's page links to its
reports for those who may run them. No console error, nothing spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from demo.seed import seed_demo
from integrations.models import JobCostTransaction, Project
from permissions.levels import Level, Tool
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import demo_user, grant

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_job_costs_report_by_job_with_chart_and_files(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    spent = JobCostTransaction.objects.filter(account=account).order_by("pk").first()
    assert spent is not None
    job = spent.project
    page = open_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, "erpadmin")
    base = f"{live_server.url}/a/{account.slug}"
    page.goto(f"{base}/reports/")
    page.get_by_role("link", name="ERP Job Costs").click()
    expect(page.locator("h1")).to_contain_text("ERP Job Costs")
    table = page.locator("table.report-table")
    expect(table.locator("thead")).to_contain_text("Remaining budget")
    expect(table.locator("tbody")).to_contain_text(f"{job.number} {job.name}")

    # Choosing a job shows its cost codes at once (no button to press).
    page.get_by_label("Filter by job").select_option(str(job.pk))
    expect(page).to_have_url(f"{base}/reports/job-costs/?project={job.pk}")
    expect(page.locator("h1")).to_contain_text(job.number)
    expect(table.locator("thead")).to_contain_text("Cost type")
    expect(table.locator("tfoot")).to_contain_text("Total")
    expect(page.locator("figure.report-chart svg")).to_be_visible()
    expect(page.locator("figure.report-chart")).to_contain_text("Budget")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"report-job-costs-{width}.png"), full_page=True)
        assert not overflows(page), f"the report scrolls sideways at {width} px"

    with page.expect_download() as csv_file:
        page.get_by_role("link", name="Download CSV").click()
    assert csv_file.value.suggested_filename == f"job-costs-{job.number}.csv"
    text = Path(csv_file.value.path()).read_text()
    assert text.splitlines()[0].startswith("Cost code,Description,Cost type,Budget")
    with page.expect_download() as pdf_file:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf_file.value.path()).read_bytes().startswith(b"%PDF")
    assert errors == []


def test_a_job_page_leads_to_its_reports(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    job = Project.objects.filter(account=account).order_by("number").first()
    assert job is not None
    admin = demo_user("erpadmin")
    grant(admin, account, Tool.BUDGET, Level.ADMIN, project=job)  # the seed's project-level need
    page = open_page()
    log_in(page, live_server.url, "erpadmin")
    page.goto(f"{live_server.url}/a/{account.slug}/projects/{job.pk}/")
    panel = page.locator("section", has=page.locator("#reports-head"))
    panel.get_by_role("link", name="ERP Unsyncable Direct Costs").click()
    expect(page.locator("h1")).to_contain_text("ERP Unsyncable Direct Costs")
    expect(page.locator(".crumbs")).to_contain_text(job.number)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(screenshot_dir / f"report-unsyncable-{width}.png"), full_page=True)
        assert not overflows(page), f"the report scrolls sideways at {width} px"
