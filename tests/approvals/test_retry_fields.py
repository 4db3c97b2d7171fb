"""Failed to Export: the approver changes the value the ERP refused (a vendor id it already
holds) and retries that one row, on the page and in the API; the new value is checked like an
accept's."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from integrations.models import Company, ErpState
from tests.factories import demo_user as user


def failed_company(account: Any, capture: Any) -> tuple[ExportRequest, Company, str]:
    """A company accepted under a vendor id the ERP already holds: it fails to export."""
    taken = ledger.Vendor.objects.filter(ledger=account.slug).values_list("number", flat=True)[0]
    company = Company.objects.filter(account=account, erp_state=ErpState.UNSENT).first()
    assert company is not None
    if not company.address:  # the ERP needs a street
        Company.objects.filter(pk=company.pk).update(address="1 Main Street")
        company.refresh_from_db()
    request = export_send(item=company, actor=user("erpadmin"))
    with capture(execute=True):
        export_accept(
            account=account,
            request_ids=[request.pk],
            actor=user("approver"),
            erp_fields={"erp_vendor_id": taken},
        )
    request.refresh_from_db()
    assert request.state == RequestState.FAILED
    assert f"{taken} is already used in the ERP; choose another number" in request.error
    return request, company, taken


@pytest.mark.django_db
def test_change_the_refused_vendor_id_and_retry_the_row(django_capture_on_commit_callbacks):
    account = seed_demo()
    request, company, taken = failed_company(account, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(user("approver"))
    failed = client.get(reverse("export-failed", kwargs={"account": account.slug}))
    retry_url = reverse("export-retry", kwargs={"account": account.slug, "pk": request.pk})
    # A Retry button on the row itself, not only the bulk one.
    assert f'href="{retry_url}?' in failed.text
    assert f'aria-label="Retry {escape(request.label)}"' in failed.text

    dialog = client.get(retry_url, {"queue": "failed"})
    assert dialog.status_code == 200
    assert "Export again" in dialog.text
    assert "ERP vendor id" in dialog.text
    assert f'value="{taken}"' in dialog.text  # the refused value, to change
    assert "is already used in the ERP" in dialog.text

    # A value the ERP would refuse is said on its field; the request stays failed.
    too_long = client.post(
        retry_url, {"queue": "failed", "erp_vendor_id": "V-123456789012"}, HTTP_HX_REQUEST="true"
    )
    assert too_long.status_code == 400
    assert "At most 10 characters." in too_long.text
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(retry_url, {"queue": "failed", "erp_vendor_id": "V-7777"})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.state == RequestState.SYNCED
    assert request.erp_fields == {"erp_vendor_id": "V-7777"}
    assert ledger.Vendor.objects.filter(ledger=account.slug, number="V-7777").exists()
    company.refresh_from_db()
    assert company.erp_state == ErpState.SYNCED


@pytest.mark.django_db
def test_retry_with_the_same_value_fails_again_and_bulk_retry_keeps_it(
    django_capture_on_commit_callbacks,
):
    account = seed_demo()
    request, _, taken = failed_company(account, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(user("approver"))
    bulk = reverse("export-retry-selected", kwargs={"account": account.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(bulk, {"ids": [request.pk], "queue": "failed"}, follow=True)
    assert "1 item sent again." in response.text
    request.refresh_from_db()
    assert request.erp_fields == {"erp_vendor_id": taken}
    assert request.state == RequestState.FAILED  # the same id, refused again


@pytest.mark.django_db
def test_retry_in_the_api_takes_erp_fields_checked_like_accept(
    django_capture_on_commit_callbacks,
):
    account = seed_demo()
    request, _, _ = failed_company(account, django_capture_on_commit_callbacks)
    api = APIClient()
    api.force_authenticate(user("approver"))
    url = f"/api/v1/export-requests/{request.pk}/retry/"
    unknown = api.post(url, {"erp_fields": {"erp_job_number": "J-1"}}, format="json")
    assert unknown.status_code == 400
    assert unknown.json() == {"erp_job_number": ["The ERP does not ask for this field."]}
    assert ExportRequest.objects.get(pk=request.pk).state == RequestState.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        ok = api.post(url, {"erp_fields": {"erp_vendor_id": "V-8888"}}, format="json")
    assert ok.status_code == 200, ok.content
    request.refresh_from_db()
    assert request.state == RequestState.SYNCED
    assert request.error == ""
    assert ledger.Vendor.objects.filter(ledger=account.slug, number="V-8888").exists()
