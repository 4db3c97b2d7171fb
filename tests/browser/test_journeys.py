"""Each kind of user's everyday round, in a real browser at a desktop width (1280 px) and a
tablet's (820 px): the approver works the export queue, the ERP admin looks after the
connection and the syncs, the project manager sends and fixes items, the integrator gets an API
token and uses it. Every page of a round must load without a console error, a failed request
(other than a refusal the round expects, listed with its reason) or sideways scrolling; at the
tablet width a record list fits its box, its number, status and ERP status on screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from approvals.models import ExportRequest
from approvals.services import export_reject, export_send
from demo.data import DEMO_PASSWORD
from demo.seed import seed_demo
from integrations.kinds import kinds
from integrations.models import Commitment
from tenancy.models import Account
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

WIDTHS = (1280, 820)
TABLET = 820
# Columns a record list keeps on screen at the tablet width (whichever of them it has).
KEY_COLUMNS = ("Number", "Name", "Title", "Status", "ERP status", "Amount")


@dataclass(frozen=True)
class Allowed:
    """A failed request (``status``) or a console error (``status`` 0) the round expects or
    knows of: its address or message (a regex), and why it is allowed."""

    pattern: str
    reason: str
    status: int = 0


@dataclass
class Watch:
    """What went wrong in a page since the last check: console errors, uncaught exceptions and
    failed requests (4xx, 5xx), less those ``allowed``."""

    page: Any
    allowed: tuple[Allowed, ...] = ()
    shots: Path | None = None  # where each checked page's screenshot goes (to look at)
    errors: list[str] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type == "error" and not any(
            a.status == 0 and re.search(a.pattern, message.text) for a in self.allowed
        ):
            self.errors.append(f"console: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and not any(
            a.status == response.status and re.search(a.pattern, response.url) for a in self.allowed
        ):
            self.failed.append((response.url, response.status))

    def check(self, where: str) -> None:
        """Fail on anything collected so far, and on the page scrolling sideways."""
        self.page.wait_for_load_state("load")
        errors, failed = list(self.errors), list(self.failed)
        self.errors.clear()
        self.failed.clear()
        width = self.page.viewport_size["width"]
        assert errors == [], f"{where} at {width} px: {errors}"
        assert failed == [], f"{where} at {width} px: failed requests {failed}"
        assert overflow(self.page) <= 0, f"{where} scrolls sideways at {width} px"
        if self.shots is not None:
            name = re.sub(r"[^a-z0-9]+", "-", where.lower()).strip("-")
            self.page.screenshot(path=str(self.shots / f"{name}-{width}.png"), full_page=True)


def overflow(page: Any) -> int:
    """How far the page scrolls sideways (0: not at all)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def table_overflow(page: Any) -> int:
    """How far the widest table box on the page scrolls sideways inside itself."""
    return int(
        page.evaluate(
            "Math.max(0, ...[...document.querySelectorAll('.scroll')]"
            ".map(el => el.scrollWidth - el.clientWidth))"
        )
    )


def hidden_key_columns(page: Any) -> list[str]:
    """The key columns of the list whose heading is not wholly on screen."""
    return list(
        page.eval_on_selector_all(
            "table.records thead th",
            "(ths, keys) => ths.filter(th => keys.includes(th.textContent.trim())"
            " && (th.offsetParent === null"
            " || th.getBoundingClientRect().right > window.innerWidth + 1))"
            ".map(th => th.textContent.trim())",
            list(KEY_COLUMNS),
        )
    )


def check_list_fits(page: Any, where: str) -> None:
    """At the tablet width a record list fits its box; its key columns are on screen."""
    if page.viewport_size["width"] != TABLET:
        return
    assert table_overflow(page) <= 0, f"{where}: the table scrolls sideways at {TABLET} px"
    assert hidden_key_columns(page) == [], f"{where}: key columns off screen at {TABLET} px"


def visit(watch: Watch, url: str, where: str) -> None:
    response = watch.page.goto(url)
    assert response is not None and response.status == 200, (where, url, response.status)
    watch.check(where)


def sendable(account: Account) -> Iterator[Commitment]:
    """Commitments the ERP would take (approved, their vendor and project synced), unsent."""
    yield from Commitment.objects.filter(
        account=account,
        status="approved",
        vendor__erp_state="synced",
        project__erp_state="synced",
        erp_state="unsent",
    ).order_by("pk")


def sent(account: Account, count: int) -> list[ExportRequest]:
    """``count`` commitments sent by the project manager: waiting in Ready to Export."""
    pm = get_user_model().objects.get(username="pm")
    items = list(sendable(account))[:count]
    assert len(items) == count
    return [export_send(item=item, actor=pm) for item in items]


def shots_for(screenshot_dir: Path, who: str) -> Path:
    folder = screenshot_dir / "journeys" / who
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def at_widths(page: Any) -> Iterator[int]:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        yield width


def test_the_approvers_round(live_server: Any, open_page: Any, screenshot_dir: Path) -> None:
    account = seed_demo()
    sent(account, 2 * len(WIDTHS))  # one to accept and one to reject at each width
    base, slug = live_server.url, account.slug
    page = open_page()
    watch = Watch(page, shots=shots_for(screenshot_dir, "approver"))
    log_in(page, base, "approver")
    watch.check("login")
    queue = f"{base}/a/{slug}/erp/ready-to-export/"
    rows = page.locator("table.queue-table tbody tr[data-queue-row]")
    dialog = page.locator("dialog#dialog")
    for _ in at_widths(page):
        visit(watch, f"{base}/a/{slug}/", "the overview")
        expect(page.locator("nav.tabs")).to_contain_text("Ready to Export")
        visit(watch, queue, "Ready to Export")
        check_list_fits(page, "Ready to Export")
        waiting = rows.count()
        assert waiting >= 2
        # Open an item: its page shows where it stands and its history.
        first = rows.first.locator("a[data-queue-open]")
        label = first.inner_text()
        first.click()
        expect(page.locator("#erp-workflow .big-state")).to_have_text("Ready to Export")
        expect(page.locator("h1")).to_contain_text(label.split(" ")[0])
        expect(page.locator("#erp-workflow .history-table")).to_contain_text("Sent to the ERP")
        watch.check("an item in the queue")
        page.goto(queue)
        # Accept one ...
        rows.first.get_by_role("link", name="Accept").click()
        expect(dialog).to_be_visible()
        watch.check("the accept dialog")
        dialog.get_by_role("button", name="Accept").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#queue .messages")).to_contain_text("Accepted")
        expect(rows).to_have_count(waiting - 1)
        # ... and reject one, saying why.
        rows.first.get_by_role("link", name="Reject").click()
        expect(dialog).to_be_visible()
        dialog.locator("textarea[name=reason]").fill("The retainage should be 5%, not 10%.")
        dialog.get_by_role("button", name="Reject").click()
        expect(dialog).to_be_hidden()
        expect(page.locator("#queue .messages")).to_contain_text("Rejected")
        expect(rows).to_have_count(waiting - 2)
        watch.check("Ready to Export after deciding")
        visit(watch, f"{base}/a/{slug}/erp/failed-to-export/", "Failed to Export")
        expect(page.locator("h1")).to_have_text("Failed to Export")
        visit(watch, f"{base}/a/{slug}/reports/", "Reports")
        expect(page.locator("h1")).to_contain_text("Reports")


def test_the_erp_admins_round(live_server: Any, open_page: Any, screenshot_dir: Path) -> None:
    account = seed_demo()
    base = f"{live_server.url}/a/{account.slug}"
    page = open_page()
    watch = Watch(page, shots=shots_for(screenshot_dir, "erp-admin"))
    log_in(page, live_server.url, "erpadmin")
    record_lists = [kind.key for kind in kinds() if kind.web is not None]
    for _ in at_widths(page):
        visit(watch, f"{base}/", "the overview")
        visit(watch, f"{base}/erp/connection/", "ERP connection")
        expect(page.locator("h1")).to_contain_text("ERP connection")
        visit(watch, f"{base}/erp/sync/schedules/", "Sync schedules")
        expect(page.locator("#schedule-jobs")).to_be_visible()
        # Sync now on one kind, then open the run it started.
        visit(watch, f"{base}/erp/ready-to-import/?type=jobs", "Ready to Import")
        bar = page.locator("#sync-bar-jobs")
        last_run = bar.locator("a[href*='/sync/runs/']")
        before = last_run.get_attribute("href")  # the demo's first sync
        bar.get_by_role("button", name="Refresh job list").click()
        expect(last_run).not_to_have_attribute("href", before or "")
        expect(bar.get_by_role("button", name="Refresh job list")).to_be_enabled()
        expect(bar).to_contain_text("Succeeded")
        watch.check("Ready to Import after Sync now")
        last_run.click()
        expect(page.get_by_role("link", name="Its ERP calls")).to_be_visible()
        watch.check("the sync run")
        visit(watch, f"{base}/erp/ready-to-import/?type=vendors", "Ready to Import: Vendors")
        check_list_fits(page, "Ready to Import")
        for key in record_lists:
            visit(watch, f"{base}/{key}/", f"the {key} list")
            check_list_fits(page, f"the {key} list")
        visit(watch, f"{base}/settings/", "Settings")
        visit(watch, f"{base}/directory/", "Directory")
        visit(watch, f"{base}/erp/log/", "ERP log")
        visit(watch, f"{base}/audit/", "Audit")
        expect(page.locator("table.audit-trail tbody tr").first).to_be_visible()


def test_the_project_managers_round(live_server: Any, open_page: Any, screenshot_dir: Path) -> None:
    account = seed_demo()
    approver = get_user_model().objects.get(username="approver")
    requests = sent(account, len(WIDTHS))
    export_reject(
        account=account,
        request_ids=[r.pk for r in requests],
        actor=approver,
        reason="The retainage should be 5%, not 10%.",
    )
    rejected = [Commitment.objects.get(pk=r.item_id) for r in requests]
    to_send = list(sendable(account))[: len(WIDTHS)]
    base = f"{live_server.url}/a/{account.slug}"
    page = open_page()
    watch = Watch(page, shots=shots_for(screenshot_dir, "project-manager"))
    log_in(page, live_server.url, "pm")
    badge = page.locator("#erp-workflow .big-state")
    for width, item, fixed in zip(at_widths(page), to_send, rejected, strict=True):
        visit(watch, f"{base}/", "the overview")
        # Their own rejected items come first, each with the approver's reason.
        mine = page.locator(".dash-mine")
        expect(mine).to_contain_text(str(fixed))
        expect(mine).to_contain_text("The retainage should be 5%, not 10%.")
        visit(watch, f"{base}/commitments/{item.pk}/", "a commitment")
        expect(badge).to_have_text("Not sent")
        page.get_by_role("button", name="Send to ERP").click()
        expect(badge).to_have_text("Ready to Export")
        watch.check("a commitment sent to the ERP")
        # Their rejected items, from the overview's link.
        visit(watch, f"{base}/", "the overview")
        mine.get_by_role("link", name=re.compile(r"See all \d+ rejected")).click()
        expect(page.locator("h1")).to_have_text("Your rejected items")
        watch.check("their rejected items")
        expect(page.locator("table.queue-table")).to_contain_text(str(fixed))
        # Fix the rejected one and send it again.
        page.locator("table.queue-table").get_by_role("link", name=str(fixed)).click()
        expect(badge).to_have_text("Rejected")
        page.get_by_role("link", name="Edit").click()
        page.fill("#id_description", f"Retainage corrected to 5% ({width} px).")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".messages")).to_contain_text("saved")
        watch.check("the rejected commitment, edited")
        page.get_by_role("button", name="Re-send to ERP").click()
        expect(badge).to_have_text("Ready to Export")
        watch.check("the rejected commitment, sent again")


def test_the_integrators_round(
    live_server: Any, browser: Any, open_page: Any, screenshot_dir: Path
) -> None:
    account = seed_demo()
    base = live_server.url
    page = open_page()
    watch = Watch(page, shots=shots_for(screenshot_dir, "integrator"))
    log_in(page, base, "erpadmin")
    api = browser.new_context()  # a script of the integrator's: no session, only the token
    try:
        for _ in at_widths(page):
            watch.check("login")
            # The token: asked for with a username and password ...
            answer = api.request.post(
                f"{base}/api/v1/auth/token/",
                form={"username": "erpadmin", "password": DEMO_PASSWORD},
            )
            assert answer.status == 200, answer.text()
            token = answer.json()["token"]
            # ... described on the token page (when it expires, its last characters), never shown.
            visit(watch, f"{base}/api/v1/auth/tokens/", "the API token page")
            expect(page.locator("body")).to_contain_text(f"…{token[-4:]}")
            expect(page.locator("body")).to_contain_text("expires")
            assert token not in page.content()
            visit(watch, f"{base}/api/docs/", "the API docs")
            expect(page.locator(".swagger-ui .info .title")).to_contain_text("ERP Portal API")
            watch.check("the API docs, drawn")
            # The token opens the API; without it the API refuses.
            by_token = {"Authorization": f"Token {token}"}
            root = api.request.get(f"{base}/api/v1/", headers=by_token)
            assert root.status == 200, root.text()
            accounts = api.request.get(f"{base}/api/v1/accounts/", headers=by_token)
            assert accounts.status == 200 and account.slug in accounts.text()
            assert api.request.get(f"{base}/api/v1/accounts/").status in (401, 403)
    finally:
        api.close()
