"""*Use the portal's contract numbers* and *Use the portal's change order numbers* (Settings):
turned off, the approver types the ERP's number when accepting a commitment or a change order,
and the sandbox ERP files the record with that number. On (the default), nothing is asked.

Demo roles: ``pm`` sends (Admin on the project tools), ``approver`` accepts (ERP Admin + Can
Push to Accounting), ``erpadmin`` configures the advanced settings (Admin on the ERP
Integrations tool, the seed's row *Configure Advanced Settings*)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db.models import Model
from django.urls import reverse

import approvals.export_tasks  # noqa: F401  (registers the tasks)
from approvals.models import ExportRequest, RequestState
from approvals.services import export_send
from connectors.sandbox import models as ledger
from demo.seed import seed_demo
from erp.models import ErpCall
from integrations import models as m
from integrations.services import account_settings_update
from tenancy.models import Account
from tests.api.conftest import client_for
from tests.factories import demo_user as user
from tests.factories import signed_in as login

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
API = "/api/v1/export-requests/"
REQUIRED = "ERP contract number is required."


@pytest.fixture
def demo(db: Any) -> Account:
    return seed_demo()


def settings(account: Account, **changes: bool) -> None:
    account_settings_update(actor=user("erpadmin"), account=account, changes=changes)


def commitments(account: Account, count: int = 1) -> list[m.Commitment]:
    """Approved commitments of synced projects, with synced vendors: the ERP takes them."""
    return list(
        m.Commitment.objects.filter(
            account=account,
            status="approved",
            erp_state="unsent",
            vendor__erp_state="synced",
            project__erp_state="synced",
        ).order_by("pk")[:count]
    )


def commitment_change_order(account: Account) -> m.CommitmentChangeOrder:
    """An approved change order of a synced commitment."""
    return m.CommitmentChangeOrder.objects.filter(
        account=account, status="approved", commitment__erp_state="synced"
    ).first()


def prime_change_order(account: Account) -> m.PrimeContractChangeOrder:
    return m.PrimeContractChangeOrder.objects.filter(
        account=account, status="approved", prime_contract__erp_state="synced"
    ).first()


def sent(item: Model) -> ExportRequest:
    return export_send(item=item, actor=user("pm"))


def accept_url(account: Account, request: ExportRequest) -> str:
    return reverse("export-accept", kwargs={"account": account.slug, "pk": request.pk})


def state(request: ExportRequest) -> str:
    return ExportRequest.objects.get(pk=request.pk).state


def field_error(label: str, message: str) -> re.Pattern[str]:
    """The form's field ``erp_number`` marked in error, its label and the message under it."""
    field = r'class="field has-error">\s*<label for="id_erp_number">'
    return re.compile(rf"{field}{label}</label>.*{re.escape(message)}", re.S)


# --- Contract numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_the_approver_types_the_erp_contract_number_and_the_erp_files_it(
    demo, headers, django_capture_on_commit_callbacks
):
    settings(demo, use_portal_contract_numbers=False)
    (item,) = commitments(demo)
    request = sent(item)
    client = login("approver")
    url = accept_url(demo, request)

    form = client.get(url, **headers)
    assert form.status_code == 200
    assert 'name="erp_number"' in form.text and 'maxlength="30"' in form.text
    assert '<label for="id_erp_number">ERP contract number</label>' in form.text
    assert "uses the ERP&#x27;s contract numbers (see Settings)" in form.text

    refused = client.post(url, {"erp_number": "  "}, **headers)
    assert refused.status_code == 400
    assert field_error("ERP contract number", REQUIRED).search(refused.text)
    assert state(request) == RequestState.PENDING

    too_long = client.post(url, {"erp_number": "ERP-CONTRACT-7781"}, **headers)
    assert too_long.status_code == 400  # the sandbox ERP's contract numbers are 10 long
    message = "The ERP's contract numbers are at most 10 characters."
    assert field_error("ERP contract number", message.replace("'", "&#x27;")).search(too_long.text)
    assert state(request) == RequestState.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(url, {"erp_number": " E-7781 "}, **headers)
    assert accepted.status_code == (200 if headers else 302)
    request.refresh_from_db()
    assert request.erp_fields == {"erp_number": "E-7781"}
    assert request.state == RequestState.SYNCED
    item.refresh_from_db()
    assert item.number.startswith("SC-")  # the portal keeps its own number
    (filed,) = ledger.Commitment.objects.filter(ledger=demo.slug, number="E-7781")
    assert filed.data["project_number"] == item.project.number
    # The portal's ERP code is what the ERP answered, as its log shows.
    (call,) = ErpCall.objects.filter(payload_summary__request=request.pk, outcome="success")
    assert call.response["origin_code"] == filed.number
    assert (item.origin_id, item.origin_code) == (filed.number, filed.number)


def test_api_accept_needs_the_erp_contract_number(demo, django_capture_on_commit_callbacks):
    settings(demo, use_portal_contract_numbers=False)
    (item,) = commitments(demo)
    request = sent(item)
    api = client_for(user("approver"))
    url = f"{API}{request.pk}/accept/"

    missing = api.post(url, {}, format="json")
    assert missing.status_code == 400
    assert missing.json() == {"erp_number": [REQUIRED]}
    too_long = api.post(url, {"erp_fields": {"erp_number": "N" * 31}}, format="json")
    assert too_long.status_code == 400
    assert too_long.json() == {"erp_number": ["At most 30 characters."]}
    assert state(request) == RequestState.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(url, {"erp_fields": {"erp_number": "E-9001"}}, format="json")
    assert done.status_code == 200
    assert done.json()["erp_fields"] == {"erp_number": "E-9001"}
    assert state(request) == RequestState.SYNCED
    (filed,) = ledger.Commitment.objects.filter(ledger=demo.slug, number="E-9001")
    item.refresh_from_db()
    assert item.origin_code == filed.number


def test_bulk_accept_is_refused_when_each_item_needs_its_number(demo):
    settings(demo, use_portal_contract_numbers=False)
    requests = [sent(item) for item in commitments(demo, 2)]
    ids = [r.pk for r in requests]
    message = "The ERP needs an ERP contract number for each item: accept them one by one."

    page = login("approver").post(
        reverse("export-accept-selected", kwargs={"account": demo.slug}),
        {"ids": ids, "queue": "ready"},
    )
    assert page.status_code == 400
    assert message in page.text

    api = client_for(user("approver"))
    response = api.post(f"{API}bulk-accept/", {"ids": ids}, format="json")
    assert response.status_code == 400
    assert response.json() == {"erp_number": [message]}
    assert {state(r) for r in requests} == {RequestState.PENDING}


# --- Change order numbers --------------------------------------------------------------------


def test_change_orders_ask_for_the_erp_change_order_number(
    demo, django_capture_on_commit_callbacks
):
    settings(demo, use_portal_change_order_numbers=False)
    cco, pcco = commitment_change_order(demo), prime_change_order(demo)
    (commitment,) = commitments(demo)
    cco_request, pcco_request, commitment_request = sent(cco), sent(pcco), sent(commitment)
    client = login("approver")

    for request in (cco_request, pcco_request):
        form = client.get(accept_url(demo, request))
        assert '<label for="id_erp_number">ERP change order number</label>' in form.text
        assert "uses the ERP&#x27;s change order numbers (see Settings)" in form.text
    # Contract numbers are still the portal's.
    form = client.get(accept_url(demo, commitment_request))
    assert 'name="erp_number"' not in form.text
    assert "The ERP asks for nothing more" in form.text

    refused = client.post(accept_url(demo, cco_request), {})
    assert refused.status_code == 400
    assert field_error("ERP change order number", "ERP change order number is required.").search(
        refused.text
    )
    assert state(cco_request) == RequestState.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(accept_url(demo, cco_request), {"erp_number": "CO-77"}).status_code == 302
        )
        api = client_for(user("approver"))
        done = api.post(
            f"{API}{pcco_request.pk}/accept/",
            {"erp_fields": {"erp_number": "PCO-12"}},
            format="json",
        )
        assert done.status_code == 200
    assert state(cco_request) == state(pcco_request) == RequestState.SYNCED
    (cco_filed,) = ledger.ChangeOrder.objects.filter(ledger=demo.slug, number="CO-77")
    (pcco_filed,) = ledger.ChangeOrder.objects.filter(ledger=demo.slug, number="PCO-12")
    assert cco_filed.data["type"] == "commitment_change_order"
    assert pcco_filed.data["type"] == "prime_change_order"
    cco.refresh_from_db()
    pcco.refresh_from_db()
    assert (cco.origin_code, pcco.origin_code) == (cco_filed.number, pcco_filed.number)


# --- The default -----------------------------------------------------------------------------


def test_with_the_portals_numbers_nothing_is_asked(demo, django_capture_on_commit_callbacks):
    assert demo.use_portal_contract_numbers and demo.use_portal_change_order_numbers
    (item,) = commitments(demo)
    cco = commitment_change_order(demo)
    request, cco_request = sent(item), sent(cco)
    client = login("approver")
    for r in (request, cco_request):
        form = client.get(accept_url(demo, r))
        assert 'name="erp_number"' not in form.text
        assert "The ERP asks for nothing more" in form.text

    api = client_for(user("approver"))
    unasked = api.post(f"{API}{request.pk}/accept/", {"erp_fields": {"erp_number": "E-1"}}, "json")
    assert unasked.status_code == 400
    assert unasked.json() == {"erp_number": ["The ERP does not ask for this field."]}
    with django_capture_on_commit_callbacks(execute=True):
        both = api.post(f"{API}bulk-accept/", {"ids": [request.pk, cco_request.pk]}, "json")
    assert both.status_code == 200
    assert {state(request), state(cco_request)} == {RequestState.SYNCED}
    assert ledger.Commitment.objects.filter(ledger=demo.slug, data__number=item.number).exists()
