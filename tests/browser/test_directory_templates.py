"""Permission templates in a real browser, at a desktop and a tablet width: a Directory Admin
goes from the Directory to the templates, opens one, is told in place that its new name is
taken, and reads a member's effective permissions with where each level comes from. Nothing
spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from permissions.levels import Level, Tool
from permissions.models import TemplateScope
from permissions.services import ProjectTemplate, member_permissions_set
from permissions.templates import seed_templates
from tenancy.models import Membership
from tests.browser.helpers import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import AccountFactory, ProjectFactory, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def build() -> tuple[Any, Any]:
    account = AccountFactory(name="Summit Ridge Builders", slug="summit")
    admin = member(
        account,
        username="diradmin",
        levels={Tool.DIRECTORY: Level.ADMIN},
        can_push_to_accounting=True,
    )
    company = seed_templates(
        account,
        TemplateScope.COMPANY,
        {
            "Accounting": {
                Tool.ERP_INTEGRATIONS: Level.STANDARD,
                Tool.COMMITMENTS: Level.READ_ONLY,
                Tool.INVOICING: Level.STANDARD,
                Tool.REPORTS: Level.READ_ONLY,
            },
            "Project Manager": {
                Tool.BUDGET: Level.STANDARD,
                Tool.COMMITMENTS: Level.STANDARD,
                Tool.CHANGE_ORDERS: Level.STANDARD,
                Tool.REPORTS: Level.READ_ONLY,
            },
        },
    )
    seed_templates(
        account,
        TemplateScope.PROJECT,
        {"Field": {Tool.BUDGET: Level.READ_ONLY, Tool.REPORTS: Level.READ_ONLY}},
        is_default=True,
    )
    site = seed_templates(
        account,
        TemplateScope.PROJECT,
        {"Superintendent": {Tool.BUDGET: Level.ADMIN, Tool.CHANGE_ORDERS: Level.ADMIN}},
    )["Superintendent"]
    tower = ProjectFactory(account=account, number="P-1001", name="Riverside Tower")
    ProjectFactory(account=account, number="P-1002", name="Eastgate School")
    accountant = member(account, username="priya")
    accountant.first_name, accountant.last_name = "Priya", "Shah"
    accountant.save()
    accountant.groups.add(company["Accounting"].group_id)
    pm = member(account, username="marco")
    pm.groups.add(company["Project Manager"].group_id)
    member_permissions_set(
        actor=admin,
        account=account,
        membership=Membership.objects.get(user=accountant),
        levels={Tool.DIRECTORY: Level.READ_ONLY},
        privileges={},
        project_grants=[],
        project_templates=[ProjectTemplate(tower, site)],
    )
    return account, accountant


def test_a_directory_admin_works_with_permission_templates(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account, accountant = build()
    page = open_page()
    log_in(page, live_server.url, "diradmin", "pw")

    def look(name: str) -> None:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            assert not overflows(page), f"{name} spills sideways at {width} px"
            page.screenshot(path=str(screenshot_dir / f"{name}_{width}.png"), full_page=True)

    page.goto(f"{live_server.url}/a/{account.slug}/directory/")
    row = page.locator("table.records tbody tr", has_text="priya")
    expect(row).to_contain_text("Accounting")
    expect(row).to_contain_text("Read Only (adjusted)")
    look("directory_list")

    page.get_by_role("link", name="Permission templates").click()
    expect(page.get_by_role("heading", name="Permission templates")).to_be_visible()
    field = page.locator("table.records tbody tr", has_text="Field")
    expect(field).to_contain_text("Default")
    expect(page.locator("table.records tbody tr", has_text="Accounting")).to_contain_text("1")
    look("permission_templates")

    page.get_by_role("link", name="Accounting").click()
    expect(page.get_by_role("heading", name="Company template “Accounting”")).to_be_visible()
    page.get_by_label("Name").fill("Project Manager")
    page.get_by_label("Budget").select_option(label="Read Only")
    page.get_by_role("button", name="Save template").click()
    error = page.locator("#id_name-error")
    expect(error).to_have_text("There is already a company template 'Project Manager'.")
    expect(page.get_by_label("Budget")).to_have_value(str(int(Level.READ_ONLY)))
    look("permission_template_error")

    page.goto(f"{live_server.url}/a/{account.slug}/directory/{accountant.pk}/")
    effective = page.locator("section.effective")
    expect(effective).to_contain_text("Company template: Accounting")
    expect(effective).to_contain_text("Project template: Superintendent")
    expect(effective).to_contain_text("Default project template: Field")
    expect(effective).to_contain_text("Adjustment")
    look("directory_member_effective")
