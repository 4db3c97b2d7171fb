"""The overview shows a sender's own rejected item once: on the panel of their items (first),
not again as a "Your rejected items" link among the workflow counts. Those who decide, who have
no such panel, keep the link beside the counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from approvals.models import ExportRequest
from approvals.services import export_reject, export_send
from demo.seed import seed_demo
from integrations.models import Commitment
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of


@pytest.fixture
def rejected(db: Any) -> tuple[Any, ExportRequest]:
    """The demo account, with one commitment the project manager sent and the approver
    rejected."""
    account = seed_demo()
    item = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
    ).first()
    sent = export_send(item=item, actor=user("pm"))
    export_reject(account=account, request_ids=[sent.pk], actor=user("approver"), reason="No.")
    return account, sent


def home(username: str, account: Any) -> str:
    page = client_of(username).get(reverse("account-home", kwargs={"account": account.slug}))
    assert page.status_code == 200
    return str(page.text)


def test_the_project_manager_sees_their_rejected_item_once(rejected: Any) -> None:
    account, sent = rejected
    text = home("pm", account)
    label = sent.summary["label"]
    dashboard = text.split('<div class="dashboard">')[1].split('<h2 class="tiles-title">')[0]
    assert dashboard.count(label) == 1
    assert "Your rejected items" not in dashboard
    # The panel of their items comes first and says where all of them are.
    first = dashboard.split("</section>")[0]
    assert "Your items that need you" in first and label in first
    mine_url = f"{reverse('export-rejected', kwargs={'account': account.slug})}?sender="
    assert mine_url in first and "See all 1 rejected" in first


def test_one_who_decides_and_sent_an_item_keeps_the_link_beside_the_counts(rejected: Any) -> None:
    account, _ = rejected
    item = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced", erp_state="unsent"
    ).first()
    theirs = export_send(item=item, actor=user("admin"))
    export_reject(account=account, request_ids=[theirs.pk], actor=user("approver"), reason="No.")
    text = home("admin", account)
    assert "Your items that need you" not in text
    assert text.count("Your rejected items (1)") == 1
