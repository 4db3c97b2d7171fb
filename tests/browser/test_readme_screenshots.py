"""The README's screenshots, taken from the demo account so they show the portal as it is: the
approver's queue, an item's history, the ERP admin's overview, the sync schedules and the ERP
Job Costs report. Each is a 1280 px wide view of the page (not the whole page), written to
docs/screenshots/<name>.png; each page must load clean (see test_journeys.Watch)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from approvals.services import export_accept
from demo.seed import seed_demo
from integrations.models import Commitment, JobCostTransaction
from tests.browser.test_journeys import Watch, log_in, sent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
expect: Any = pytest.importorskip("playwright.sync_api").expect

README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEW = {"width": 1280, "height": 800}


def shoot(watch: Watch, url: str, name: str) -> None:
    """Open ``url`` and write the view's screenshot as ``name``.png (the page loads clean)."""
    page = watch.page
    response = page.goto(url)
    assert response is not None and response.status == 200, (name, response.status)
    watch.check(name)
    page.screenshot(path=str(README_SHOTS / f"{name}.png"))


def test_the_readme_screenshots(live_server: Any, open_page: Any) -> None:
    README_SHOTS.mkdir(parents=True, exist_ok=True)
    account = seed_demo()
    approver_user = get_user_model().objects.get(username="approver")
    waiting = sent(account, 5)
    # One accepted (and so exported at once): its history has the send, the decision and the
    # export; the other four wait in the queue.
    export_accept(account=account, request_ids=[waiting[0].pk], actor=approver_user)
    exported = Commitment.objects.get(pk=waiting[0].item_id)
    base = f"{live_server.url}/a/{account.slug}"

    approver = open_page()
    approver.set_viewport_size(VIEW)
    watch = Watch(approver)
    log_in(approver, live_server.url, "approver")
    shoot(watch, f"{base}/erp/ready-to-export/", "queue")
    expect(approver.locator("table.queue-table tbody tr[data-queue-row]")).to_have_count(4)

    approver.goto(f"{base}/commitments/{exported.pk}/")
    history = approver.locator("#erp-workflow .history-table")
    expect(history).to_contain_text("Accepted for export")
    expect(history).to_contain_text("Export attempt 1")
    expect(history).to_contain_text(str(waiting[0].sent_by.get_full_name()))
    # The title, the ERP status and the history in one view (scrolled only as far as needed).
    approver.evaluate(
        "const t = document.querySelector('#erp-workflow .history-table');"
        " if (t.getBoundingClientRect().bottom > innerHeight - 16)"
        " window.scrollBy(0, t.getBoundingClientRect().bottom - innerHeight + 48);"
    )
    watch.check("item-history")
    approver.screenshot(path=str(README_SHOTS / "item-history.png"))

    admin = open_page()
    admin.set_viewport_size(VIEW)
    watch = Watch(admin)
    log_in(admin, live_server.url, "erpadmin")
    shoot(watch, f"{base}/", "dashboard")
    shoot(watch, f"{base}/erp/sync/schedules/", "sync-schedules")
    expect(admin.locator("#schedule-jobs")).to_be_visible()

    # The ERP Job Costs report of a demo project with job cost transactions (last: a report
    # that does not load skips only this screenshot).
    project_id = (
        JobCostTransaction.objects.filter(account=account)
        .order_by("project_id")
        .values_list("project_id", flat=True)
        .first()
    )
    assert project_id is not None
    response = admin.goto(f"{base}/reports/job-costs/?project={project_id}")
    try:
        assert response is not None and response.status == 200, response and response.status
        watch.check("report-job-costs")
    except AssertionError as problem:
        pytest.skip(f"report-job-costs.png not written (the others are): the report: {problem}")
    admin.screenshot(path=str(README_SHOTS / "report-job-costs.png"))
