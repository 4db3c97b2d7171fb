"""The account's overview as a dashboard: the oldest waiting items with their age, the
failures with the ERP's words, each sync kind's last and next run, the connection's health, and
a project admin's own rejected and failed items first. Each panel only for those who may see
it (the seed matrix: the approver and the ERP admin decide and read the logs, the viewer reads
the ERP tool, the project manager sends but has no ERP rights), and a constant number of
queries whatever the number of requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.models import ExportRequest, RequestState
from approvals.services import export_reject, export_send
from demo.seed import seed_demo
from erp.models import ErpCall, ErpConnection
from erp.services import connection_set_paused
from integrations.models import Commitment
from syncs.models import RunState, SyncRun
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of

WAITING = "Oldest waiting for acceptance"
FAILURES = "Failures that need action"
SYNCS = 'id="dash-syncs-title"'
HEALTH = "ERP connection</h2>"
MINE = "Your items that need you"


@pytest.fixture
def scene(db: Any) -> Any:
    """The demo account, with three commitments sent by the project manager: one waiting
    since ten days, one the ERP refused, one the approver rejected."""
    account = seed_demo()
    items = list(
        Commitment.objects.filter(
            account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
        ).order_by("pk")[:3]
    )
    assert len(items) == 3
    pm = user("pm")
    sent = [export_send(item=item, actor=pm) for item in items]
    ExportRequest.objects.filter(pk=sent[0].pk).update(
        sent_at=timezone.now() - dt.timedelta(days=10, hours=2)
    )
    ExportRequest.objects.filter(pk=sent[1].pk).update(
        state=RequestState.FAILED, error="V-1007 is already used in the ERP"
    )
    export_reject(
        account=account, request_ids=[sent[2].pk], actor=user("approver"), reason="Wrong job."
    )
    return account, sent


def home(username: str, account: Any) -> str:
    page = client_of(username).get(reverse("account-home", kwargs={"account": account.slug}))
    assert page.status_code == 200
    return str(page.text)


def test_the_approver_sees_the_oldest_waiting_item_first_with_its_age(scene: Any) -> None:
    account, sent = scene
    text = home("approver", account)
    panel = text.split(WAITING)[1].split("</section>")[0]
    first_row = panel.split("<tbody>")[1].split("</tr>")[0]
    assert f'id="waiting-request-{sent[0].pk}"' in first_row
    assert sent[0].summary["label"] in first_row
    assert "<td>10 days</td>" in first_row
    assert "Jake Sullivan" in first_row
    pending = ExportRequest.objects.filter(account=account, state=RequestState.PENDING).count()
    queue = reverse("export-queue", kwargs={"account": account.slug})
    assert f'<a href="{queue}?sort=oldest">See all {pending} waiting, oldest first</a>' in panel
    # The link leads to the queue with that item on top.
    listed = client_of("approver").get(f"{queue}?sort=oldest").text
    assert listed.index(f'id="request-{sent[0].pk}"') < listed.index("</tbody>")


def test_failures_show_the_erp_message_and_lead_to_the_failed_queue(scene: Any) -> None:
    account, sent = scene
    text = home("approver", account)
    panel = text.split(FAILURES)[1].split("</section>")[0]
    assert f'id="failed-request-{sent[1].pk}"' in panel
    assert "The ERP said: “V-1007 is already used in the ERP”" in panel
    failed = ExportRequest.objects.filter(account=account, state=RequestState.FAILED).count()
    queue = reverse("export-failed", kwargs={"account": account.slug})
    assert f'<a href="{queue}?sort=newest">See all {failed} failed</a>' in panel


def test_each_sync_kind_shows_its_last_run_linked(scene: Any) -> None:
    account, _ = scene
    connection = ErpConnection.objects.get(account=account)
    run = SyncRun.objects.create(
        account=account,
        connection=connection,
        kind="vendors",
        trigger="manual",
        state=RunState.FAILED,
        fetched=12,
        created=3,
    )
    text = home("erpadmin", account)
    row = text.split('id="dash-sync-vendors"')[1].split("</tr>")[0]
    assert "Failed</span>" in row
    assert reverse("sync-run", kwargs={"account": account.slug, "run": run.pk}) in row
    assert "12 fetched · 3 new" in row
    assert reverse("sync-schedules", kwargs={"account": account.slug}) in text


def test_the_connection_health_says_paused_refusals_and_errors(scene: Any) -> None:
    account, _ = scene
    connection_set_paused(account=account, actor=user("erpadmin"), paused=True, reason="Upgrade")
    connection = ErpConnection.objects.get(account=account)
    ErpConnection.objects.filter(pk=connection.pk).update(auth_failures=2)
    ErpCall.objects.filter(account=account).update(resolved=True)
    now = timezone.now()
    for started, outcome in (
        (now - dt.timedelta(hours=2), ErpCall.Outcome.PERMANENT),
        (now - dt.timedelta(days=3), ErpCall.Outcome.TRANSIENT),
        (now - dt.timedelta(hours=1), ErpCall.Outcome.SUCCESS),
    ):
        ErpCall.objects.create(
            account=account, connection=connection, action="export", started_at=started,
            outcome=outcome,
        )  # fmt: skip
    text = home("erpadmin", account)
    panel = text.split(HEALTH)[1].split("</section>")[0]
    assert "Paused</span> since" in panel and ": Upgrade" in panel
    assert "2 in a row" in panel
    log = reverse("erp-log", kwargs={"account": account.slug})
    assert f'<a href="{log}?errors=open">2 open</a>, 1 of them in the last 24 h' in panel
    # The number is the length of the list it opens.
    listed = client_of("erpadmin").get(f"{log}?errors=open").text
    body = listed.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 2


def test_the_project_manager_sees_their_own_items_first_and_no_erp_panels(scene: Any) -> None:
    account, sent = scene
    text = home("pm", account)
    assert MINE in text
    panel = text.split(MINE)[1].split("</section>")[0]
    assert f'id="mine-request-{sent[2].pk}"' in panel and "Reason: “Wrong job.”" in panel
    assert f'id="mine-request-{sent[1].pk}"' in panel
    assert "The ERP said: “V-1007 is already used in the ERP”" in panel
    commitment = Commitment.objects.get(pk=sent[1].item_id)
    assert (
        reverse(
            "record-detail",
            kwargs={"account": account.slug, "kind": "commitments", "pk": commitment.pk},
        )
        in panel
    )
    rejected = reverse("export-rejected", kwargs={"account": account.slug})
    assert f"{rejected}?sender={user('pm').pk}" in panel
    # Before everything else: the first panel of the page.
    assert text.index(MINE) < text.index("Records</h2>")
    for other in (WAITING, FAILURES, SYNCS, HEALTH):
        assert other not in text, other


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("erpadmin", (WAITING, FAILURES, SYNCS, HEALTH), (MINE,)),
        ("approver", (WAITING, FAILURES, SYNCS, HEALTH), (MINE,)),
        ("viewer", (WAITING, FAILURES, HEALTH), (SYNCS, MINE)),
        ("nobody", (), (WAITING, FAILURES, SYNCS, HEALTH, MINE)),
    ],
)
def test_panels_follow_the_matrix(
    scene: Any, username: str, shown: tuple[str, ...], hidden: tuple[str, ...]
) -> None:
    account, _ = scene
    text = home(username, account)
    for title in shown:
        assert title in text, title
    for title in hidden:
        assert title not in text, title
    if username == "viewer":  # reads the ERP tool, not its logs: the count is not a link
        assert reverse("erp-log", kwargs={"account": account.slug}) not in text


def _add_requests(account: Any, template: ExportRequest, count: int) -> None:
    pm, approver = user("pm"), user("approver")
    states = [RequestState.PENDING, RequestState.FAILED, RequestState.REJECTED]
    ExportRequest.objects.bulk_create(
        ExportRequest(
            account=account,
            item_type=template.item_type,
            item_id=10_000_000 + i,
            project=template.project,
            state=states[i % 3],
            summary={"label": f"Extra {i}"},
            sent_by=pm,
            sent_at=timezone.now() - dt.timedelta(hours=i),
            decided_by=approver if states[i % 3] == RequestState.REJECTED else None,
            reason="Wrong job." if states[i % 3] == RequestState.REJECTED else "",
            error="Refused" if states[i % 3] == RequestState.FAILED else "",
        )
        for i in range(count)
    )


@pytest.mark.parametrize("username", ["erpadmin", "pm"])
def test_the_dashboard_costs_the_same_queries_with_2_or_30_requests(db: Any, username: str) -> None:
    account = seed_demo()
    item = Commitment.objects.filter(account=account).order_by("pk").first()
    assert item is not None
    template = export_send(item=item, actor=user("pm"))
    url = reverse("account-home", kwargs={"account": account.slug})

    def queries_with(total: int) -> int:
        ExportRequest.objects.filter(account=account).delete()
        _add_requests(account, template, total)
        browser = client_of(username)
        browser.get(url)  # warm the session and grants
        with CaptureQueriesContext(db_connection) as ctx:
            assert browser.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries_with(2) == queries_with(30)
