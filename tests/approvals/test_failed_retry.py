"""Failed to Export: the ERP's message is shown, and Retry (once fixed) exports the item once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from erp.connections import connection_for
from erp.models import ErpCall
from integrations.models import Commitment, ErpState
from tests.factories import demo_user as user


@pytest.mark.django_db
def test_permanent_error_then_retry_from_the_failed_list(django_capture_on_commit_callbacks):
    account = seed_demo()
    filed_before = ledger.Commitment.objects.filter(ledger=account.slug).count()
    connection = connection_for(account)
    connection.settings = {**connection.settings, "permanent_error_rate": "1"}
    connection.save()
    item = Commitment.objects.filter(
        account=account, status="approved", vendor__erp_state="synced"
    ).first()
    request = export_send(item=item, actor=user("pm"))
    with django_capture_on_commit_callbacks(execute=True):
        export_accept(account=account, request_ids=[request.pk], actor=user("approver"))
    request.refresh_from_db()
    assert request.state == RequestState.FAILED
    assert "422" in request.error
    assert (
        ErpCall.objects.filter(payload_summary__request=request.pk).count() == 1
    )  # one attempt, no retry

    client = Client()
    client.force_login(user("approver"))
    failed = client.get(reverse("export-failed", kwargs={"account": account.slug}))
    assert "the ERP refused the record" in failed.text
    assert "Retry selected" in failed.text

    connection.settings = {**connection.settings, "permanent_error_rate": "0"}
    connection.save()
    retry = reverse("export-retry-selected", kwargs={"account": account.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, {"ids": [request.pk], "queue": "failed"})
    assert response.status_code == 302
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.SYNCED
    assert Commitment.objects.get(pk=item.pk).erp_state == ErpState.SYNCED
    assert ledger.Commitment.objects.filter(ledger=account.slug).count() == filed_before + 1
    # The failure is marked resolved by the later success.
    assert ErpCall.objects.get(payload_summary__request=request.pk, outcome="permanent").resolved


@pytest.mark.django_db
def test_viewer_cannot_retry(django_capture_on_commit_callbacks):
    account = seed_demo()
    item = Commitment.objects.filter(account=account, vendor__erp_state="synced").first()
    request = export_send(item=item, actor=user("pm"))
    ExportRequest.objects.filter(pk=request.pk).update(state=RequestState.FAILED, error="x")
    client = Client()
    client.force_login(user("viewer"))
    retry = reverse("export-retry-selected", kwargs={"account": account.slug})
    assert client.post(retry, {"ids": [request.pk], "queue": "failed"}).status_code == 403
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.FAILED


@pytest.mark.django_db
def test_retry_through_the_api(django_capture_on_commit_callbacks):
    from rest_framework.test import APIClient

    account = seed_demo()
    item = Commitment.objects.filter(account=account, vendor__erp_state="synced").first()
    request = export_send(item=item, actor=user("pm"))
    ExportRequest.objects.filter(pk=request.pk).update(state=RequestState.FAILED, error="x")
    client = APIClient()
    client.force_authenticate(user("approver"))
    url = f"/api/v1/export-requests/{request.pk}/retry/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 200, response.content
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.SYNCED
    again = client.post(url)
    assert again.status_code == 409
    assert "already synced" in again.json()["detail"]
