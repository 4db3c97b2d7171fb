"""The Content-Security-Policy breaks nothing: an ERP admin and an approver go through the main
pages in a real browser (and a superuser through the admin site) and no script, style or image is
refused, no script fails; and what the inline handlers used to do still happens (the account
switcher, select all, a choice that submits, the connector choice, the queue's filters and its
accept dialog)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from approvals.services import export_send
from demo.data import DEMO_PASSWORD
from demo.seed import seed_demo
from integrations.models import Commitment
from tenancy.models import Account, Membership

# serialized_rollback: see tests/approvals/test_races.py.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

WIDTHS = (1280, 820)


class Watched:
    """A logged-in page whose refused resources and script errors are collected."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        # Every refusal, whatever the console says of it (reports, not just messages).
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' at '"
            " + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));"
        )

    def _console(self, message: Any) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, url
        self.page.wait_for_load_state("networkidle")


def log_in(open_page: Any, base: str, username: str) -> Watched:
    watched = Watched(open_page())
    watched.visit(f"{base}/login/")
    watched.page.fill("#id_username", username)
    watched.page.fill("#id_password", DEMO_PASSWORD)
    watched.page.click("button[type=submit]")
    expect(watched.page.locator(".who")).to_be_visible()
    return watched


def shoot(watched: Any, folder: Path, name: str) -> None:
    page = watched.page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(folder / f"csp_{name}_{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


def test_an_erp_admin_and_an_approver_meet_no_refusal(
    live_server: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    slug = account.slug
    base = live_server.url
    home = f"{base}/a/{slug}/"
    erp = f"{home}erp/"
    sent = list(
        Commitment.objects.filter(
            account=account,
            status="approved",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:2]
    )
    pm = account.memberships.get(user__username="pm").user
    for item in sent:
        export_send(item=item, actor=pm)
    second = Account.objects.create(name="Harbor Works", slug="harbor")
    erpadmin = account.memberships.get(user__username="erpadmin").user
    Membership.objects.create(account=second, user=erpadmin)

    # The ERP admin: every tab of the menu and the ERP pages.
    admin = log_in(open_page, base, "erpadmin")
    admin.visit(home)
    tabs = admin.page.eval_on_selector_all("nav.tabs a", "links => links.map(a => a.href)")
    assert len(tabs) >= 5
    pages = [
        *tabs,
        f"{erp}connection/",
        f"{erp}log/",
        f"{erp}sandbox/",
        f"{erp}sandbox/console/",
        f"{erp}sync/schedules/",
        f"{erp}sync/log/",
        f"{erp}ready-to-import/",
        f"{home}directory/",
        f"{home}reports/",
        f"{home}settings/",
        f"{home}audit/",
    ]
    for url in dict.fromkeys(pages):
        admin.visit(url)

    # The pages whose inline styles became classes.
    admin.visit(f"{erp}sandbox/console/")
    shoot(admin, screenshot_dir, "sandbox_console")
    admin.visit(f"{erp}connection/")
    shoot(admin, screenshot_dir, "erp_connection")

    # Choosing another connector shows its settings (the page reloads with it).
    choice = admin.page.locator("#id_connector_key")
    other = choice.locator("option:not([selected])").first.get_attribute("value")
    with admin.page.expect_navigation():
        choice.select_option(other)
    expect(admin.page.locator("#id_connector_key")).to_have_value(other)

    # Ready to Import: the status choice filters at once (the list swapped in place, the
    # address following it).
    admin.visit(f"{erp}ready-to-import/")
    status = admin.page.locator("select[name=status]")
    value = status.locator("option").nth(1).get_attribute("value")
    status.select_option(value)
    expect(admin.page).to_have_url(re.compile(f"status={value}"))

    # The account switcher opens the other account.
    admin.visit(home)
    with admin.page.expect_navigation():
        admin.page.select_option("#account-switch", "harbor")
    assert admin.page.url == f"{base}/a/harbor/"

    # The approver: the queue, its filters (htmx), select all, the accept dialog.
    approver = log_in(open_page, base, "approver")
    approver.visit(f"{erp}ready-to-export/")
    page = approver.page
    rows = page.locator("table.queue-table tbody tr")
    expect(rows).to_have_count(2)
    page.locator("form.filters input[name=q]").fill(str(sent[0].number))
    page.locator("form.filters select[name=type]").select_option(index=0)  # a change: htmx
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(sent[0]))
    # The search box's own change (on leaving it) asks too: both answers in before going on.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.get_by_role("link", name="Clear").click()
    expect(rows).to_have_count(2)

    select_all = page.get_by_label("Select all")
    select_all.check()
    expect(page.locator("input[name=ids]:checked")).to_have_count(2)
    select_all.uncheck()
    expect(page.locator("input[name=ids]:checked")).to_have_count(0)

    dialog = page.locator("dialog#dialog")
    rows.filter(has_text=str(sent[0])).get_by_role("link", name="Accept").click()
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    rows.filter(has_text=str(sent[0])).get_by_role("link", name="Accept").click()
    expect(dialog).to_be_visible()
    shoot(approver, screenshot_dir, "accept_dialog")
    dialog.get_by_role("button", name="Accept").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#queue .messages")).to_contain_text(f"Accepted {sent[0]}.")
    expect(rows).to_have_count(1)

    # The superuser: the Django admin site under the same policy.
    superuser = log_in(open_page, base, "admin")
    someone = account.memberships.get(user__username="viewer").user
    for path in ("", "auth/user/", f"auth/user/{someone.pk}/change/", "tenancy/account/"):
        superuser.visit(f"{base}/admin/{path}")

    for watched in (admin, approver, superuser):
        assert watched.problems == [], "\n".join(watched.problems)
