"""The dashboard in a real browser at a desktop and a tablet width: the ERP admin sees what
waits, what failed, the syncs and the connection, and follows a number to its list; the project
manager sees their own rejected and failed items first. No console error, nothing spills
sideways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from approvals.models import ExportRequest, RequestState
from approvals.services import export_reject, export_send
from demo.seed import seed_demo
from integrations.models import Commitment
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import demo_user as user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect


def _scene() -> Any:
    account = seed_demo()
    items = list(
        Commitment.objects.filter(
            account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
        ).order_by("pk")[:3]
    )
    pm = user("pm")
    sent = [export_send(item=item, actor=pm) for item in items]
    ExportRequest.objects.filter(pk=sent[0].pk).update(
        state=RequestState.FAILED, error="V-1007 is already used in the ERP; choose another number"
    )
    export_reject(
        account=account,
        request_ids=[sent[1].pk],
        actor=user("approver"),
        reason="Wrong cost code on line 2.",
    )
    return account


def _look(page: Any, screenshot_dir: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert not overflows(page), f"the dashboard spills sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"dashboard_{name}_{width}.png"), full_page=True)


def test_the_dashboard_as_erp_admin_and_as_project_manager(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = _scene()
    home = f"{live_server.url}/a/{account.slug}/"
    errors: list[str] = []

    admin = open_page()
    admin.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(admin, live_server.url, "erpadmin")
    admin.goto(home)
    for title in ("Oldest waiting for acceptance", "Failures that need action", "Syncs"):
        expect(admin.get_by_role("heading", name=title)).to_be_visible()
    expect(admin.get_by_role("heading", name="ERP connection")).to_be_visible()
    expect(admin.locator("main")).to_contain_text("V-1007 is already used in the ERP")
    _look(admin, screenshot_dir, "erpadmin")
    admin.set_viewport_size({"width": WIDTHS[0], "height": 900})
    pending = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    admin.get_by_role("link", name=f"See all {pending} waiting, oldest first").click()
    expect(admin.get_by_role("heading", name="Ready to Export")).to_be_visible()

    pm = open_page()
    pm.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(pm, live_server.url, "pm")
    pm.goto(home)
    first = pm.locator("main .dashboard > section").first
    expect(first.get_by_role("heading", name="Your items that need you")).to_be_visible()
    expect(first).to_contain_text("Wrong cost code on line 2.")
    expect(first).to_contain_text("V-1007 is already used in the ERP")
    expect(pm.get_by_role("heading", name="Oldest waiting for acceptance")).to_have_count(0)
    _look(pm, screenshot_dir, "pm")
    assert not errors, errors
