"""An ERP admin's morning in Ready to Import, in a real browser: a new ERP job becomes a project,
an ERP company is linked to the Directory's company it matches (the suggestion says why), and
the list, a record's page and the *Link all suggested* review are looked at at a desktop and a
tablet width. Nothing spills sideways; states are words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from demo.seed import seed_demo
from integrations.models import Company, Project
from syncs.models import StagedRecord
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_erp_admin_imports_a_job_and_links_a_company(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = f"{live_server.url}/a/{account.slug}/erp/ready-to-import"
    job = StagedRecord.objects.get(account=account, item_type="jobs", origin_id="J-2406")
    vendor = StagedRecord.objects.get(account=account, item_type="vendors", origin_id="V-2002")
    twin = Company.objects.create(
        account=account, name="Summit Crane and Rigging", address="11801 E 33rd Avenue",
        city="Aurora", state_code="CO", zip="80010",
    )  # fmt: skip
    page = open_page()
    log_in(page, live_server.url, "erpadmin")

    def look(name: str, width: int) -> None:
        assert not overflows(page), f"{name} spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"{name}_{width}.png"), full_page=True)

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/?type=vendors")
        expect(page.get_by_role("button", name="Add selected to the portal")).to_be_visible()
        expect(page.locator("table.records tbody tr").first).to_contain_text("Ready to Import")
        look("ready_to_import_companies", width)
        page.goto(f"{base}/{vendor.pk}/")
        suggestion = page.locator("section", has_text="Link to an existing company")
        expect(suggestion).to_contain_text("Summit Crane and Rigging")
        expect(suggestion).to_contain_text("Same address")
        look("staged_company", width)
        page.goto(f"{base}/link-suggested/?type=vendors")
        expect(page.get_by_role("heading", name="Link all suggested: Companies")).to_be_visible()
        look("link_suggested", width)

    page.goto(f"{base}/{job.pk}/")
    page.get_by_role("button", name="Add to the portal as a new project").click()
    expect(page.locator("body")).to_contain_text("was added to the portal as project")
    expect(page.locator("body")).to_contain_text("In the portal as project")
    project = Project.objects.get(account=account, origin_id="J-2406")
    assert project.name == "Golden Public Library Renovation" and project.is_synced

    page.goto(f"{base}/{vendor.pk}/")
    page.locator("section", has_text="Link to an existing company").get_by_role(
        "button", name="Link"
    ).first.click()
    expect(page.locator("body")).to_contain_text("is now linked to company")
    twin.refresh_from_db()
    assert twin.origin_id == "V-2002"
    look("staged_company_linked", WIDTHS[0])
