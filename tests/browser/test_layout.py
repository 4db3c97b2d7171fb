"""The main pages at a desktop width (1280 px) and a tablet's (820 px), as an ERP admin and an
approver: no horizontal scrolling, the menu on one line on the desktop, the queue's status and
actions on screen on the tablet, checkboxes beside their labels, and the error pages styled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from approvals.services import export_send
from demo.seed import seed_demo
from integrations.models import Commitment
from tenancy.models import Membership
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

WIDTHS = (1280, 820)
ADMIN_PAGES = {
    "overview": "",
    "queue": "erp/ready-to-export/",
    "failed": "erp/failed-to-export/",
    "commitments": "commitments/",
    "connection": "erp/connection/",
    "settings": "settings/",
    "directory": "directory/",
    "console": "erp/sandbox/console/",
    "erp-log": "erp/log/",
}
APPROVER_PAGES = {
    "overview": "",
    "queue": "erp/ready-to-export/",
    "failed": "erp/failed-to-export/",
}


def overflow(page: Any) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def menu_lines(page: Any) -> int:
    tops = page.eval_on_selector_all(
        "nav.tabs > *", "items => items.map(el => Math.round(el.getBoundingClientRect().top))"
    )
    return len(set(tops))


def off_screen(page: Any, selector: str) -> list[str]:
    """The elements matching ``selector`` whose right edge is past the window's."""
    return list(
        page.eval_on_selector_all(
            selector,
            "els => els.filter(el => el.offsetParent && el.getBoundingClientRect().right"
            " > window.innerWidth + 1).map(el => el.textContent.trim().slice(0, 40))",
        )
    )


def walk(page: Any, base: str, slug: str, pages: dict[str, str], who: str, shots: Path) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in pages.items():
            response = page.goto(f"{base}/a/{slug}/{path}")
            assert response.status == 200, (who, name, response.status)
            page.screenshot(path=str(shots / f"layout-{who}-{name}-{width}.png"), full_page=True)
            assert overflow(page) <= 0, f"{who}'s {name} scrolls sideways at {width} px"
            if width == 1280:
                assert menu_lines(page) == 1, f"the menu wraps on {who}'s {name} at 1280 px"
            if name in ("queue", "failed"):
                assert off_screen(page, ".queue-table th, .queue-table td") == [], (name, width)
            if name == "queue":  # each row's status and actions are on screen
                assert page.locator(".queue-table tbody tr").count() == 4
                expect(
                    page.locator(".queue-table tbody tr").first.locator(".state")
                ).to_be_visible()


def test_main_pages_fit_as_erp_admin_and_approver(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    pm = get_user_model().objects.get(username="pm")
    for item in Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", project__erp_state="synced"
    ).order_by("pk")[:4]:
        export_send(item=item, actor=pm)  # the queue has rows to fit
    base = live_server.url
    admin = open_page()
    log_in(admin, base, "erpadmin")
    walk(admin, base, account.slug, ADMIN_PAGES, "erpadmin", screenshot_dir)
    approver = open_page()
    log_in(approver, base, "approver")
    walk(approver, base, account.slug, APPROVER_PAGES, "approver", screenshot_dir)
    # The record lists are one "Records" menu; the open list is named on it.
    approver.set_viewport_size({"width": 1280, "height": 900})
    admin.set_viewport_size({"width": 1280, "height": 900})
    admin.goto(f"{base}/a/{account.slug}/commitments/")
    menu = admin.locator("nav.tabs details.tab-menu")
    expect(menu.locator("summary")).to_have_text("Records: Commitments")
    menu.locator("summary").click()
    admin.screenshot(path=str(screenshot_dir / "layout-erpadmin-records-menu-1280.png"))
    # It closes on Escape and on a click elsewhere, as menus do.
    admin.keyboard.press("Escape")
    expect(menu.get_by_role("link", name="Companies")).to_be_hidden()
    menu.locator("summary").click()
    admin.locator("main h1").click()
    expect(menu.get_by_role("link", name="Companies")).to_be_hidden()
    menu.locator("summary").click()
    menu.get_by_role("link", name="Companies").click()
    expect(admin.locator("nav.tabs details.tab-menu summary")).to_have_text("Records: Companies")


def test_checkboxes_sit_beside_their_labels(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = live_server.url
    page = open_page()
    log_in(page, base, "erpadmin")
    diradmin = Membership.objects.filter(account=account, user__username="erpadmin").get()
    checks = {
        "settings": ("settings/", "input[type=checkbox]"),
        "member": (f"directory/{diradmin.user_id}/", "input[type=checkbox][name^=priv_]"),
        "console": ("erp/sandbox/console/", "input[type=checkbox][name$=is_active]"),
        "connection": ("erp/connection/", "input[type=checkbox][name=reject_credentials]"),
    }
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, (path, selector) in checks.items():
            assert page.goto(f"{base}/a/{account.slug}/{path}").status == 200, name
            page.screenshot(path=str(screenshot_dir / f"layout-checks-{name}-{width}.png"))
            boxes = page.locator(selector)
            assert boxes.count() > 0, name
            for i in range(boxes.count()):
                box = boxes.nth(i)
                label = page.locator(f"label[for='{box.get_attribute('id')}']")
                b, lab = box.bounding_box(), label.bounding_box()
                text = label.inner_text().strip()
                # The box is on the label's line, and the label's text starts just right of it.
                assert abs((b["y"] + b["height"] / 2) - (lab["y"] + lab["height"] / 2)) < 12, text
                text_left = page.evaluate(
                    "el => { const r = document.createRange(); r.selectNodeContents(el);"
                    " const rects = [...r.getClientRects()].filter(x => x.width > 3);"
                    " return Math.min(...rects.map(x => x.left)); }",
                    label.element_handle(),
                )
                assert b["x"] <= text_left < b["x"] + b["width"] + 24, (name, text, b, text_left)


def test_error_pages_are_the_portals_own(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = live_server.url
    page = open_page()
    log_in(page, base, "nobody")
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)  # no report to open
    response = page.goto(f"{base}/a/{account.slug}/directory/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You may not open this page")
    expect(page.locator(".topbar .brand")).to_be_visible()  # the portal's layout
    page.screenshot(path=str(screenshot_dir / "layout-403-1280.png"))
    assert page.goto(f"{base}/no/such/page/").status == 404
    expect(page.locator("h1")).to_have_text("This page does not exist")
    assert page.goto(f"{base}/favicon.ico").status == 200
