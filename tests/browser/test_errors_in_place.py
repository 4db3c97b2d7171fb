"""Refusals show in place under the settings of ``make run`` (DEBUG on): a 400 answer to an
in-page action (*Reject selected* without a reason, *Send to ERP* of an item the ERP would
refuse) is swapped into its part of the page, and
the page keeps its layout. In DEBUG, django-htmx's ``{% htmx_script %}`` adds an error handler
that replaced the whole document with the bare fragment; the base template loads htmx alone.

Also the screenshots of the queues with a paused connection and of *Failed to Export* with its
per-row Retry, at 1280 and 820 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from approvals.models import ExportRequest, RequestState
from approvals.services import export_send
from demo.seed import seed_demo
from erp.services import connection_set_paused
from integrations.models import Commitment
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

WIDTHS = (1280, 820)


@pytest.fixture(autouse=True)
def debug_like_make_run(settings: Any) -> None:
    """``make run`` sets DJANGO_DEBUG=1: the live server renders with DEBUG on, as there."""
    settings.DEBUG = True


def keeps_layout(page: Any, heading: str) -> None:
    """The page is still the portal's: its menu, its heading, its stylesheet."""
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("nav.tabs")).to_be_visible()
    expect(page.locator("h1")).to_have_text(heading)
    assert page.eval_on_selector("header.topbar", "el => getComputedStyle(el).display") != "inline"
    assert page.locator("script[src*='django-htmx.js']").count() == 0


def test_refusals_show_in_place_with_debug_on(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    pm = get_user_model().objects.get(username="pm")
    ready = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
    ).order_by("pk")[:2]
    sent = [export_send(item=item, actor=pm) for item in ready]
    refused = Commitment.objects.filter(
        account=account, status="draft", vendor__erp_state="unsent"
    ).first()
    base = live_server.url
    queue = f"{base}/a/{account.slug}/erp/ready-to-export/"

    # Reject selected without a reason: the reason box says why, the queue stays.
    approver = open_page()
    log_in(approver, base, "approver")
    approver.goto(queue)
    row = approver.locator(f"#request-{sent[0].pk}")
    row.locator("input[name=ids]").check()
    approver.get_by_role("button", name="Reject selected").click()
    expect(approver.locator("#queue .bulk-bar .error")).to_have_text(
        "Say why, so the sender can fix it."
    )
    keeps_layout(approver, "Ready to Export")
    expect(approver.locator(f"#request-{sent[0].pk} input[name=ids]")).to_be_checked()
    assert ExportRequest.objects.get(pk=sent[0].pk).state == RequestState.PENDING
    approver.screenshot(path=str(screenshot_dir / "reject_without_reason.png"), full_page=True)

    # Send to ERP of an item the ERP would refuse: the rules it breaks, in its ERP section.
    sender = open_page()
    log_in(sender, base, "pm")
    sender.goto(f"{base}/a/{account.slug}/commitments/{refused.pk}/")
    heading = sender.locator("h1").inner_text()
    sender.get_by_role("button", name="Send to ERP").click()
    expect(sender.locator("#erp-workflow .problems")).to_contain_text(
        "Only an approved commitment can be sent."
    )
    keeps_layout(sender, heading)

    # The per-row Retry opens its dialog over the queue (htmx), the page still around it.
    ExportRequest.objects.filter(pk=sent[1].pk).update(
        state=RequestState.FAILED, error="PO-9 is already used in the ERP; choose another number."
    )
    approver.goto(f"{base}/a/{account.slug}/erp/failed-to-export/")
    approver.locator(f"#request-{sent[1].pk}").get_by_role("link", name="Retry").click()
    dialog = approver.locator("dialog#dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Export again")
    keeps_layout(approver, "Failed to Export")


def test_paused_banner_and_per_row_retry_screens(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    users = get_user_model().objects
    pm = users.get(username="pm")
    items = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
    ).order_by("pk")[:3]
    sent = [export_send(item=item, actor=pm) for item in items]
    ExportRequest.objects.filter(pk__in=[r.pk for r in sent[1:]]).update(
        state=RequestState.FAILED,
        error="PO-1007 is already used in the ERP; choose another number.",
    )
    connection_set_paused(
        account=account,
        actor=users.get(username="erpadmin"),
        paused=True,
        reason="Refused logins: check the ERP password",
    )
    base = live_server.url
    page = open_page()
    log_in(page, base, "approver")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{base}/a/{account.slug}/erp/ready-to-export/")
        banner = page.locator(".paused-banner")
        expect(banner).to_contain_text("Exports to the ERP are paused since")
        expect(banner).to_contain_text("Refused logins: check the ERP password.")
        expect(banner.get_by_role("link", name="Open the ERP connection")).to_be_visible()
        page.screenshot(path=str(screenshot_dir / f"queue_paused_{width}.png"), full_page=True)

        page.goto(f"{base}/a/{account.slug}/erp/failed-to-export/")
        expect(page.locator("nav.tabs")).to_contain_text("Failed to Export (2)")
        for request in sent[1:]:
            retry = page.locator(f"#request-{request.pk}").get_by_role("link", name="Retry")
            expect(retry).to_be_visible()
        page.screenshot(path=str(screenshot_dir / f"failed_retry_{width}.png"), full_page=True)

    # The overview says it too, with the workflow's counts.
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    page.goto(f"{base}/a/{account.slug}/")
    expect(page.locator(".paused-banner")).to_contain_text("Exports to the ERP are paused since")
    expect(page.locator(".workflow-counts")).to_contain_text("Failed to Export 2")
    page.screenshot(path=str(screenshot_dir / "overview_paused.png"), full_page=True)

    # Rejected and Retrieved: each its own marker, besides its text.
    styles = page.evaluate(
        """() => ["rejected", "retrieved"].map(state => {
            const el = document.createElement("span");
            el.className = `state state-${state}`;
            el.innerHTML = '<span class="dot"></span>';
            document.body.append(el);
            const s = getComputedStyle(el.querySelector(".dot"));
            return [s.backgroundColor, s.borderRadius, s.borderTopStyle].join(" ");
        })"""
    )
    assert styles[0] != styles[1]
