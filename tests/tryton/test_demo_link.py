"""The demo pointed at a Tryton (``ERP_PORTAL_DEMO_TRYTON_URL``): the records the demo says are
synced exist in Tryton under the same codes, so a commitment can be exported at once; none of
what the portal exports starts exported there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from demo.seed import seed_demo
from erp.connections import connection_for
from integrations.models import Commitment, OwnerInvoice, SubcontractorInvoice


@pytest.mark.django_db
def test_demo_on_tryton_exports_a_commitment(
    tryton_settings, monkeypatch, client, django_capture_on_commit_callbacks
):
    monkeypatch.setenv("ERP_PORTAL_DEMO_TRYTON_URL", tryton_settings["url"])
    monkeypatch.setenv("ERP_PORTAL_DEMO_TRYTON_DATABASE", tryton_settings["database"])
    monkeypatch.setenv("ERP_PORTAL_DEMO_TRYTON_USER", tryton_settings["user"])
    monkeypatch.setenv("ERP_PORTAL_DEMO_TRYTON_PASSWORD", tryton_settings["password"])
    account = seed_demo()
    assert connection_for(account).connector_key == "tryton"
    # Tryton numbers what it receives: nothing starts exported there (the sandbox's history).
    for model in (Commitment, SubcontractorInvoice, OwnerInvoice):
        assert not model.objects.filter(account=account).exclude(erp_state="unsent").exists()
    assert not ExportRequest.objects.exists()
    seed_demo()  # linking again files nothing twice
    users = get_user_model().objects
    item = (
        Commitment.objects.filter(account=account, status="approved", vendor__erp_state="synced")
        .order_by("pk")
        .first()
    )
    request = export_send(item=item, actor=users.get(username="pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(
            account=account, request_ids=[request.pk], actor=users.get(username="approver")
        )
    request.refresh_from_db()
    assert request.state == RequestState.SYNCED, request.error
    purchase_id = int(Commitment.objects.get(pk=item.pk).origin_id)
    (purchase,) = client.read("purchase.purchase", [purchase_id], ["reference", "party.code"])
    assert purchase["reference"] == item.number
    assert purchase["party."]["code"] == item.vendor.origin_id
    assert ExportRequest.objects.filter(item_id=item.pk, state=RequestState.SYNCED).count() == 1
