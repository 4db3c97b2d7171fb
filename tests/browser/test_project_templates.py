"""Project templates in a real browser, at a desktop and a tablet width: an ERP admin goes from
Settings to the templates, adds one, marks it as the template for imported jobs and sees the
list say so in words. Nothing spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from integrations.models import ProjectTemplate
from permissions.levels import Level, Tool
from tests.browser.test_cost_code_pages import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import AccountFactory, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def test_an_erp_admin_sets_up_the_template_for_imported_jobs(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = AccountFactory(name="Summit Ridge Builders", slug="summit")
    member(account, username="erpadmin", levels={Tool.ERP_INTEGRATIONS: Level.ADMIN})
    ProjectTemplate.objects.create(account=account, name="Bid package", stage="bidding")
    page = open_page()
    log_in(page, live_server.url, "erpadmin")

    def look(name: str, width: int) -> None:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"{name} spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"{name}_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/a/{account.slug}/settings/")
    page.get_by_role("link", name="Project templates").click()
    expect(page.get_by_role("heading", name="Project templates")).to_be_visible()
    expect(page.locator("main")).to_contain_text("No template is used for imported jobs now")

    page.get_by_role("link", name="Add template").click()
    page.get_by_label("Name").fill("Standard job")
    page.get_by_label("Stage").select_option(label="Course of construction")
    page.get_by_label("Sync job cost transactions").check()
    for width in WIDTHS:
        look("project_template_form", width)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Project template “Standard job” saved.")
    row = page.locator("table.records tbody tr", has_text="Standard job")
    expect(row).to_contain_text("Not used")

    row.get_by_role("link", name="Edit").click()
    expect(page.get_by_role("heading", name="Edit “Standard job”")).to_be_visible()
    page.get_by_label("Template for imported jobs").check()
    page.get_by_role("button", name="Save").click()

    row = page.locator("table.records tbody tr", has_text="Standard job")
    expect(row).to_contain_text("Used for imported jobs")
    expect(row).to_contain_text("Course of construction")
    expect(page.locator("table.records tbody tr").first).to_contain_text("Standard job")
    expect(page.locator("table.records")).to_contain_text("Bid package")
    expect(page.locator("main")).not_to_contain_text("No template is used for imported jobs")
    for width in WIDTHS:
        look("project_templates", width)

    page.locator("table.records tbody tr", has_text="Bid package").get_by_role(
        "link", name="Delete"
    ).click()
    expect(page.locator("main")).to_contain_text("Delete the project template “Bid package”?")
    look("project_template_delete", WIDTHS[1])
    page.get_by_role("button", name="Delete template").click()
    expect(page.locator(".messages")).to_contain_text("Project template “Bid package” deleted.")

    template = ProjectTemplate.objects.get(account=account)
    assert (template.name, template.for_imports, template.sync_job_costs) == (
        "Standard job",
        True,
        True,
    )
