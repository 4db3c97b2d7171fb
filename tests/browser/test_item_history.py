"""A commitment's history in a real browser, at a desktop and a tablet width: a reject with its
reason, a failed export then its retry then synced, each on its own line, newest first, without
spilling sideways; and the notification settings page the digest links to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from approvals.services import (
    export_accept,
    export_reject,
    export_resend,
    export_retry,
    export_send,
)
from demo.seed import seed_demo
from erp.connections import connection_for
from integrations.models import Commitment
from integrations.services import record_update
from tests.browser.test_approval_flow import log_in
from tests.browser.test_record_pages import WIDTHS, overflows
from tests.factories import demo_user as user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def set_fault(account: Any, rate: str) -> None:
    connection = connection_for(account)
    connection.settings = {**connection.settings, "permanent_error_rate": rate}
    connection.save()


def failed_then_synced(account: Any, capture: Any) -> Commitment:
    item = (
        Commitment.objects.filter(account=account, status="approved", vendor__erp_state="synced")
        .order_by("pk")
        .first()
    )
    assert item is not None
    record_update(
        actor=user("pm"), account=account, instance=item, changes={"title": "Doors and frames"}
    )
    first = export_send(item=item, actor=user("pm"))
    export_reject(
        account=account,
        request_ids=[first.pk],
        actor=user("approver"),
        reason="The cost code is wrong: use 09-900 Painting",
    )
    second = export_resend(account=account, request_id=first.pk, actor=user("pm")).request
    set_fault(account, "1")
    with capture(execute=True):
        export_accept(account=account, request_ids=[second.pk], actor=user("approver"))
    set_fault(account, "0")
    with capture(execute=True):
        export_retry(account=account, request_ids=[second.pk], actor=user("approver"))
    return item


def test_history_of_a_failed_then_retried_commitment(
    live_server: Any,
    open_page: Any,
    screenshot_dir: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    account = seed_demo()
    item = failed_then_synced(account, django_capture_on_commit_callbacks)
    page = open_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, "erpadmin")
    base = f"{live_server.url}/a/{account.slug}"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/commitments/{item.pk}/")
        section = page.locator("#erp-workflow")
        expect(section.locator(".big-state")).to_have_text("Synced")
        rows = section.locator(".history-table tbody tr")
        expect(rows.nth(0)).to_contain_text("Export attempt 2: the ERP took it")
        attempts = section.locator(".history-table tr[data-event=erp-call]")
        expect(attempts).to_have_count(2)
        expect(attempts.nth(1)).to_contain_text("the ERP refused it")
        expect(attempts.nth(1)).to_contain_text("422")
        expect(section.locator(".history-table")).to_contain_text("use 09-900 Painting")
        expect(rows.last).to_contain_text("Doors and frames")  # the edit, oldest
        expect(section.get_by_role("link", name="Full history on the Audit page")).to_be_visible()
        assert not overflows(page), f"the history spills sideways at {width} px"
        section.screenshot(path=str(screenshot_dir / f"item_history_{width}.png"))
        page.screenshot(path=str(screenshot_dir / f"item_history_page_{width}.png"), full_page=True)

        page.goto(f"{base}/me/notifications/")
        box = page.get_by_label("Email me the ERP Integrations Daily Summary")
        expect(box).to_be_visible()
        assert not overflows(page), f"the notification settings spill sideways at {width} px"
        page.screenshot(path=str(screenshot_dir / f"notification_settings_{width}.png"))
    assert errors == []
