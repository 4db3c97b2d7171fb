"""The cost code pages in a real browser, at a desktop and a tablet width: an ERP admin refreshes
a project's cost codes from its page and lands on the project's codes (its own and its sub
job's, deactivated ones said in words), then ticks default cost types on the grid, which saves
each tick in place (it is still there after a reload). Nothing spills sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from integrations import models as m
from permissions.levels import Level, Tool
from tests.browser import helpers
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import AccountFactory, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

PASSWORD = "pw"  # tests.factories.UserFactory's


def log_in(page: Any, base: str, username: str) -> None:
    helpers.log_in(page, base, username, password=PASSWORD)


CODES = (  # full code, name, active in the ERP
    ("01", "General Requirements", True),
    ("01-310", "Project Management and Coordination", True),
    ("01-500", "Temporary Facilities and Controls", True),
    ("03", "Concrete", True),
    ("03-100", "Concrete Forming", True),
    ("03-200", "Concrete Reinforcing", True),
    ("03-300", "Cast-in-Place Concrete", True),
    ("03-400", "Precast Concrete", False),
    ("05", "Metals", True),
    ("05-100", "Structural Metal Framing", True),
)
TYPES = (("L", "Labor"), ("M", "Material"), ("E", "Equipment"), ("S", "Subcontract"))


def erp_world() -> tuple[Any, m.Project]:
    """The ERP's list as the sync leaves it, and a project on it using two codes (and a sub
    job using the code the ERP deactivated)."""
    account = AccountFactory(name="Summit Ridge Builders", slug="summit")
    code_list = m.StandardCostCodeList.objects.create(
        account=account, name="ERP Standard Cost Codes", is_erp=True
    )
    codes: dict[str, m.StandardCostCode] = {}
    for full_code, name, active in CODES:
        division, _, code = full_code.rpartition("-")
        codes[full_code] = m.StandardCostCode.objects.create(
            account=account,
            code_list=code_list,
            parent=codes.get(division),
            code=code,
            full_code=full_code,
            name=name,
            is_active=active,
            origin_id=f"CC-{full_code}",
            erp_state=m.ErpState.SYNCED,
        )
    for code, name in TYPES:
        m.CostType.objects.create(account=account, code=code, name=name)
    m.CostType.objects.create(account=account, code="O", name="Other", is_active=False)
    project = m.Project.objects.create(
        account=account, number="2401", name="Union Station Lofts", cost_code_list=code_list
    )
    garage = m.SubJob.objects.create(account=account, project=project, code="01", name="Garage")
    for full_code, sub_job in (("01-310", None), ("03-300", None), ("03-400", garage)):
        m.CostCode.objects.create(
            account=account, project=project, sub_job=sub_job, standard_code=codes[full_code]
        )
    return account, project


def test_cost_code_pages_at_desktop_and_tablet_widths(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account, project = erp_world()
    member(
        account,
        username="erpadmin",
        levels={Tool.ERP_INTEGRATIONS: Level.ADMIN, Tool.PROJECT_ADMIN: Level.READ_ONLY},
    )
    base = f"{live_server.url}/a/{account.slug}"
    page = open_page()
    log_in(page, live_server.url, "erpadmin")

    def look(name: str, width: int) -> None:
        assert not overflows(page), f"{name} spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"{name}_{width}.png"), full_page=True)

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})

        page.goto(f"{base}/projects/{project.pk}/")
        panel = page.locator("section", has=page.get_by_role("heading", name="Cost codes"))
        total = 3 if width == WIDTHS[0] else 7  # before and after the refresh
        expect(panel).to_contain_text(f"{total} cost codes on this project and its sub jobs")
        expect(panel).to_contain_text("1 of them deactivated in the ERP")
        look("project_cost_codes_panel", width)
        if width == WIDTHS[0]:
            expect(panel).to_contain_text("4 active codes of the ERP list are not on this project")
            panel.get_by_role("button", name="Refresh cost codes").click()
            expect(page.locator(".messages")).to_have_text("4 cost codes added from the ERP list.")
        else:
            panel.get_by_role("link", name="See the project's cost codes").click()
        expect(
            page.get_by_role("heading", name="Cost codes of 2401 Union Station Lofts")
        ).to_be_visible()
        garage = page.locator("table").nth(1)
        expect(garage.locator("tr", has_text="03-400")).to_contain_text("Deactivated in the ERP")
        expect(page.locator("table").first.locator("tbody tr")).to_have_count(6)
        look("project_cost_codes", width)

        page.goto(f"{base}/standard-cost-codes/default-cost-types/")
        expect(page.get_by_role("heading", name="Default cost types")).to_be_visible()
        expect(page.locator("tr.division").first).to_contain_text("01 General Requirements")
        box = page.get_by_role("checkbox", name="Labor for 03-300 Cast-in-Place Concrete")
        row = page.locator("tr", has=box)
        box.click()
        expect(row.locator(".row-status")).to_have_text("Saved")
        expect(
            page.get_by_role("checkbox", name="Other for 03-100 Concrete Forming")
        ).to_be_disabled()
        look("default_cost_types", width)
        page.reload()
        box = page.get_by_role("checkbox", name="Labor for 03-300 Cast-in-Place Concrete")
        if width == WIDTHS[0]:
            expect(box).to_be_checked()
        else:  # ticked at the first width, unticked now
            expect(box).not_to_be_checked()

    assert not m.StandardCostCode.objects.get(full_code="03-300").default_cost_types.exists()


def test_without_javascript_the_grid_saves_with_its_button(
    live_server: Any, browser: Any, screenshot_dir: Path
) -> None:
    account, _ = erp_world()
    member(account, username="erpstandard", levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    context = browser.new_context(java_script_enabled=False, viewport={"width": 820, "height": 900})
    try:
        page = context.new_page()
        log_in(page, live_server.url, "erpstandard")
        page.goto(f"{live_server.url}/a/{account.slug}/")
        page.locator("nav.tabs details.tab-menu summary").click()  # the Records menu, no script
        page.get_by_role("link", name="Cost Codes").click()  # no record rights: the grid
        expect(page.get_by_role("heading", name="Default cost types")).to_be_visible()
        page.get_by_role("checkbox", name="Material for 05-100 Structural Metal Framing").check()
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_have_text("Default cost types saved (1 code changed).")
        box = page.get_by_role("checkbox", name="Material for 05-100 Structural Metal Framing")
        expect(box).to_be_checked()
        assert not overflows(page)
        page.screenshot(
            path=str(screenshot_dir / "default_cost_types_no_js_820.png"), full_page=True
        )
    finally:
        context.close()
