"""What the advanced settings change on the pages people use, in a real browser at a desktop
and a tablet width: the approver types the ERP's contract number on accept, a synced job cost is
corrected in place where the account allows it, and a record changed since its sync is found
with the list's filter and says so in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from approvals.services import export_send
from demo.seed import seed_demo
from integrations import models as m
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def look(page: Any, shots: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"{name} spills sideways at {width} px"
        page.screenshot(path=str(shots / f"{name}_{width}.png"), full_page=True)


def test_the_approver_types_the_erp_contract_number(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    account.use_portal_contract_numbers = False
    account.save()
    commitment = m.Commitment.objects.filter(
        account=account,
        status="approved",
        erp_state="unsent",
        vendor__erp_state="synced",
        project__erp_state="synced",
    ).first()
    assert commitment is not None
    request = export_send(item=commitment, actor=get_user_model().objects.get(username="pm"))
    page = open_page()
    log_in(page, live_server.url, "approver")
    page.goto(f"{live_server.url}/a/{account.slug}/erp/requests/{request.pk}/accept/")
    field = page.get_by_label("ERP contract number")
    expect(field).to_be_visible()
    field.fill("ERP-CONTRACT-7781")  # the sandbox ERP's contract numbers are 10 long at most
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "The ERP's contract numbers are at most 10 characters."
    )
    look(page, screenshot_dir, "accept_erp_contract_number")
    field.fill("E-7781")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".field.has-error")).to_have_count(0)
    request.refresh_from_db()
    assert request.erp_fields == {"erp_number": "E-7781"}


def test_a_synced_job_cost_is_corrected_and_a_changed_record_is_found(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    account.allow_editing_synced_job_costs = True
    account.save()
    cost = m.JobCostTransaction.objects.filter(account=account).order_by("pk").first()
    assert cost is not None
    base = f"{live_server.url}/a/{account.slug}"
    page = open_page()
    log_in(page, live_server.url, "pm")
    page.goto(f"{base}/job-cost-transactions/{cost.pk}/")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Description").fill("Concrete pour, level 2 (corrected)")
    look(page, screenshot_dir, "job_cost_edit")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("dl.fields")).to_contain_text("Concrete pour, level 2 (corrected)")
    cost.refresh_from_db()
    assert cost.description == "Concrete pour, level 2 (corrected)"

    changed = m.Company.objects.filter(account=account, erp_state="synced").first()
    assert changed is not None
    m.Company.objects.filter(pk=changed.pk).update(erp_changed=True)
    page.goto(f"{base}/companies/")
    page.get_by_label("Changed since sync").select_option(label="Yes")
    if page.get_by_role("button", name="Filter").count():
        page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.records tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(changed.name)
    expect(rows.first).to_contain_text("Synced · changed since sync")
    look(page, screenshot_dir, "companies_changed_since_sync")
