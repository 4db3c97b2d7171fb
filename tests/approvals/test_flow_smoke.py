"""The happy path and the main refusals of the workflow, on the demo account."""

from __future__ import annotations

import pytest

from approvals.errors import DecisionConflict, SendRefused
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_reject, export_retrieve, export_send
from audit.models import AuditEvent
from demo.seed import seed_demo
from integrations.models import Commitment, ErpState
from tests.factories import demo_user as user


@pytest.fixture
def demo(db):
    return seed_demo()


def sendable(account) -> Commitment:
    return (
        Commitment.objects.filter(account=account, status="approved", vendor__erp_state="synced")
        .order_by("pk")
        .first()
    )


def test_send_accept_and_reject_round_trip(demo):
    pm, approver = user("pm"), user("approver")
    first = sendable(demo)
    request = export_send(item=first, actor=pm)
    assert request.state == RequestState.PENDING
    assert Commitment.objects.get(pk=first.pk).erp_state == ErpState.PENDING
    export_accept(account=demo, request_ids=[request.pk], actor=approver)
    assert Commitment.objects.get(pk=first.pk).erp_state == ErpState.ACCEPTED
    with pytest.raises(DecisionConflict, match="already accepted by Priya"):
        export_reject(account=demo, request_ids=[request.pk], actor=approver, reason="late")
    assert [
        e.verb for e in AuditEvent.objects.filter(item_id=first.pk, item_type="commitment")
    ] == [
        "send",
        "accept",
    ]


def test_reject_then_resend_and_retrieve(demo):
    pm, approver = user("pm"), user("approver")
    item = sendable(demo)
    request = export_send(item=item, actor=pm)
    export_reject(account=demo, request_ids=[request.pk], actor=approver, reason="Wrong vendor")
    assert Commitment.objects.get(pk=item.pk).erp_state == ErpState.REJECTED
    again = export_send(item=item, actor=pm)
    assert again.is_resend and again.pk != request.pk
    export_retrieve(account=demo, request_id=again.pk, actor=pm)
    assert Commitment.objects.get(pk=item.pk).erp_state == ErpState.RETRIEVED
    assert ExportRequest.objects.filter(item_id=item.pk, item_type="commitment").count() == 2


def test_send_names_every_failing_rule(demo):
    item = Commitment.objects.filter(
        account=demo, vendor__erp_state="unsent", status="approved"
    ).first()
    item.title = "A title that is far longer than thirty characters"
    item.save()
    with pytest.raises(SendRefused) as refused:
        export_send(item=item, actor=user("pm"))
    errors = refused.value.as_dict()
    assert errors["vendor_ref"] == ["The vendor must be synced with the ERP first."]
    assert errors["title"] == ["The title is longer than the ERP's 30 characters."]
    assert not ExportRequest.objects.filter(item_type="commitment", item_id=item.pk).exists()
    assert Commitment.objects.get(pk=item.pk).erp_state == ErpState.UNSENT
