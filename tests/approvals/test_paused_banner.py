"""A paused ERP connection is said where people work, not only on the connection page: the
queues and the overview show since when and why, and an item retried while paused reads
"Waiting: exports paused" instead of "Accepted" with the ERP's old refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.services import export_send
from demo.seed import seed_demo
from erp.services import connection_set_paused
from integrations.models import Commitment
from tests.factories import demo_user as user
from tests.factories import signed_in as client_of

BANNER = "Accepted items wait and are sent when an ERP admin resumes."


@pytest.fixture
def paused_account(db: Any) -> Any:
    account = seed_demo()
    connection_set_paused(
        account=account, actor=user("erpadmin"), paused=True, reason="ERP upgrade tonight."
    )
    return account


def test_queues_and_overview_say_exports_are_paused(paused_account: Any) -> None:
    account = paused_account
    connection_url = reverse("erp-connection", kwargs={"account": account.slug})
    for name in ("export-queue", "export-failed", "account-home"):
        page = client_of("approver").get(reverse(name, kwargs={"account": account.slug}))
        assert page.status_code == 200
        assert "Exports to the ERP are paused</strong> since" in page.text, name
        assert f": ERP upgrade tonight. {BANNER}" in page.text, name
        # An ERP admin may resume it: the banner leads to the connection page.
        assert f'href="{connection_url}"' in page.text, name
    # A read-only member is told, without a link to a page they may not manage.
    viewer = client_of("viewer").get(reverse("export-queue", kwargs={"account": account.slug}))
    assert BANNER in viewer.text
    assert f'href="{connection_url}"' not in viewer.text


def test_no_banner_once_resumed(paused_account: Any) -> None:
    account = paused_account
    connection_set_paused(account=account, actor=user("erpadmin"), paused=False)
    for name in ("export-queue", "export-failed", "account-home"):
        page = client_of("approver").get(reverse(name, kwargs={"account": account.slug}))
        assert "Exports to the ERP are paused" not in page.text, name


def test_an_item_retried_while_paused_waits_without_its_old_error(
    paused_account: Any, django_capture_on_commit_callbacks: Any
) -> None:
    account = paused_account
    item = Commitment.objects.filter(account=account, vendor__erp_state="synced").first()
    request = export_send(item=item, actor=user("pm"))
    ExportRequest.objects.filter(pk=request.pk).update(
        state=RequestState.FAILED, error="The ERP timed out."
    )
    approver = client_of("approver")
    retry = reverse("export-retry-selected", kwargs={"account": account.slug})
    with django_capture_on_commit_callbacks(execute=True):
        done = approver.post(retry, {"ids": [request.pk], "queue": "failed"}, follow=True)
    assert "1 item sent again. Exports to the ERP are paused" in done.text
    request.refresh_from_db()
    assert request.state == RequestState.ACCEPTED  # the paused pipeline left it waiting
    assert request.error == ""

    waiting = approver.get(reverse("export-waiting", kwargs={"account": account.slug}))
    row = waiting.text.split(f'id="request-{request.pk}"')[1].split("</tr>")[0]
    assert "Waiting: exports paused" in row
    assert "The ERP timed out." not in row
    assert ">Accepted<" not in row
    # The overview counts it as accepted and waiting, and says why it waits.
    home = approver.get(reverse("account-home", kwargs={"account": account.slug}))
    assert "Accepted, waiting: exports paused" in home.text

    # The item's own page says it waits, and why.
    page = approver.get(
        reverse(
            "record-detail", kwargs={"account": account.slug, "kind": "commitments", "pk": item.pk}
        )
    )
    workflow = page.text.split('id="erp-workflow"')[1]
    assert "Waiting: exports paused" in workflow
    assert BANNER in workflow
