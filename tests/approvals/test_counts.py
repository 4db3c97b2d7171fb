"""Counts where people look: the *Failed to Export* tab, the overview's workflow counts (each
linking to its list), and a sender's own rejected items."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_reject, export_send
from demo.seed import seed_demo
from erp.services import connection_set_paused
from integrations.models import Commitment
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of


def in_state(account: Any, state: str) -> int:
    return ExportRequest.objects.filter(account=account, state=state).count()


@pytest.fixture
def scene(db: Any) -> Any:
    """Four commitments sent by the project manager: one failed, one rejected, one accepted
    while exports are paused, one waiting for acceptance."""
    account = seed_demo()
    items = list(
        Commitment.objects.filter(
            account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
        ).order_by("pk")[:4]
    )
    assert len(items) == 4
    pm, approver = user("pm"), user("approver")
    sent = [export_send(item=item, actor=pm) for item in items]
    ExportRequest.objects.filter(pk=sent[0].pk).update(state=RequestState.FAILED, error="x")
    export_reject(
        account=account, request_ids=[sent[1].pk], actor=approver, reason="Wrong cost code."
    )
    connection_set_paused(account=account, actor=user("erpadmin"), paused=True, reason="Upgrade")
    export_accept(account=account, request_ids=[sent[2].pk], actor=approver)
    return account, items, sent


def test_failed_to_export_tab_has_a_count(scene: Any) -> None:
    account, _, _ = scene
    page = client_of("approver").get(reverse("export-queue", kwargs={"account": account.slug}))
    failed = in_state(account, RequestState.FAILED)
    assert failed >= 1
    assert f'<span id="tab-count-failed-to-export">({failed})</span>' in page.text


def test_overview_counts_link_to_their_lists(scene: Any) -> None:
    account, _, sent = scene
    slug = {"account": account.slug}
    home = client_of("approver").get(reverse("account-home", kwargs=slug))
    text = home.text
    waiting = in_state(account, RequestState.ACCEPTED) + in_state(account, RequestState.EXPORTING)
    for name, label, count in (
        ("export-queue", "Ready to Export", in_state(account, RequestState.PENDING)),
        ("export-failed", "Failed to Export", in_state(account, RequestState.FAILED)),
        ("export-waiting", "Accepted, waiting: exports paused", waiting),
    ):
        link = text.split(f'<a href="{reverse(name, kwargs=slug)}">')[1].split("</a>")[0]
        assert label in link and f"<strong>{count}</strong>" in link, name
    rejected_link = text.split(f'<a href="{reverse("export-rejected", kwargs=slug)}">')[1]
    assert "Rejected</span> <strong>" in rejected_link.split("</a>")[0]
    # Each list holds what its count says.
    approver = client_of("approver")
    waiting_list = approver.get(reverse("export-waiting", kwargs=slug))
    assert f'id="request-{sent[2].pk}"' in waiting_list.text
    rejected_list = approver.get(reverse("export-rejected", kwargs=slug))
    assert f'id="request-{sent[1].pk}"' in rejected_list.text
    assert "Wrong cost code." in rejected_list.text
    # The tiles count rejected and accepted records of each kind next to the others.
    assert " rejected</span>" in text and " accepted, waiting</span>" in text


def test_a_sender_sees_their_own_rejected_items(scene: Any) -> None:
    account, items, sent = scene
    slug = {"account": account.slug}
    pm = user("pm")
    # Someone else's rejection is not the project manager's.
    other = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
    ).first()
    theirs = export_send(item=other, actor=user("admin"))
    export_reject(account=account, request_ids=[theirs.pk], actor=user("approver"), reason="No.")

    client = client_of("pm")
    home = client.get(reverse("account-home", kwargs=slug))
    mine_url = f"{reverse('export-rejected', kwargs=slug)}?sender={pm.pk}"
    assert f'<a href="{mine_url}">See all 1 rejected</a>' in home.text
    page = client.get(mine_url)
    assert page.status_code == 200
    assert "<h1>Your rejected items</h1>" in page.text
    assert f'id="request-{sent[1].pk}"' in page.text
    assert f'id="request-{theirs.pk}"' not in page.text
    # Without the ERP tool, asking for someone else's still shows only one's own.
    admin_id = user("admin").pk
    forced = client.get(reverse("export-rejected", kwargs=slug), {"sender": admin_id})
    assert f'id="request-{theirs.pk}"' not in forced.text
    assert f'id="request-{sent[1].pk}"' in forced.text
    # The approvers' lists stay closed to them.
    assert client.get(reverse("export-waiting", kwargs=slug)).status_code == 403

    # Sent again, it is no longer a rejected item.
    export_send(item=items[1], actor=pm)
    again = client.get(mine_url)
    assert f'id="request-{sent[1].pk}"' not in again.text
    assert f'<a href="{mine_url}">' not in client.get(reverse("account-home", kwargs=slug)).text


def test_bulk_retry_says_how_many_in_plain_words(scene: Any) -> None:
    account, _, sent = scene
    connection_set_paused(account=account, actor=user("erpadmin"), paused=False)
    ExportRequest.objects.filter(pk=sent[3].pk).update(state=RequestState.FAILED, error="y")
    done = client_of("approver").post(
        reverse("export-retry-selected", kwargs={"account": account.slug}),
        {"ids": [sent[0].pk, sent[3].pk], "queue": "failed"},
        follow=True,
    )
    assert "2 items sent again." in done.text
    assert "Sent again 2" not in done.text


def test_tiles_of_records_that_are_never_sent_say_they_come_from_the_erp(scene: Any) -> None:
    account, _, _ = scene
    home = client_of("erpadmin").get(reverse("account-home", kwargs={"account": account.slug}))
    tiles = {
        tile.split("</strong>")[0]: tile
        for tile in home.text.split('<a class="tile"')[1:]
        for tile in [tile.split("<strong>")[1]]
    }
    # Job costs and payments only come from the ERP: no export states to show.
    for never_sent in ("Job Cost Transactions", "Payments", "Prime Contracts"):
        assert " from the ERP</span>" in tiles[never_sent], never_sent
        assert "ready to export" not in tiles[never_sent], never_sent
    assert " ready to export</span>" in tiles["Commitments"]
    assert "from the ERP" not in tiles["Commitments"]
