"""Synced records stay true in the web form: a synced commitment's schedule of values cannot be
edited (the sandbox ERP takes no updates of commitments); the refusal is shown in place."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations.models import Commitment, ErpState
from tests.factories import CommitmentFactory, CommitmentLineItemFactory, member
from tests.web.test_pages import ALL_TOOLS, login, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def commitment(account):
    c = CommitmentFactory(account=account, erp_state=ErpState.SYNCED, origin_id="SC1001")
    CommitmentLineItemFactory(commitment=c, amount="1000.00")
    return c


def _data(commitment: Commitment, amount: str, description: str = "") -> dict[str, str]:
    line = commitment.lines.get()
    return {
        "project": str(commitment.project_id),
        "kind": commitment.kind,
        "number": commitment.number,
        "title": commitment.title,
        "vendor": str(commitment.vendor_id),
        "status": commitment.status,
        "retainage_percent": str(commitment.retainage_percent),
        "contract_date": commitment.contract_date.isoformat() if commitment.contract_date else "",
        "description": description,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": str(line.pk),
        "lines-0-commitment": str(commitment.pk),
        "lines-0-position": str(line.position),
        "lines-0-description": line.description,
        "lines-0-amount": amount,
    }


def test_the_form_says_a_synced_schedule_of_values_is_locked(account, commitment):
    client = login(member(account, levels=ALL_TOOLS))
    page = client.get(url("record-edit", account, kind="commitments", pk=commitment.pk))
    assert page.status_code == 200
    assert "Schedule of values cannot change while the record is &#x27;Synced&#x27;" in page.text


def test_editing_a_synced_schedule_of_values_is_refused_in_place(account, commitment):
    client = login(member(account, levels=ALL_TOOLS))
    edit = url("record-edit", account, kind="commitments", pk=commitment.pk)
    response = client.post(edit, _data(commitment, "999999.00", description="Notes"))
    assert response.status_code == 400
    assert "does not take updates of commitments" in response.text
    assert 'name="lines-0-amount" value="999999.00"' in response.text  # the input is kept
    commitment.refresh_from_db()
    assert [line.amount for line in commitment.lines.all()] == [Decimal("1000.00")]
    assert commitment.description == ""
    assert commitment.erp_state == ErpState.SYNCED


def test_other_fields_of_a_synced_commitment_still_change(account, commitment):
    client = login(member(account, levels=ALL_TOOLS))
    edit = url("record-edit", account, kind="commitments", pk=commitment.pk)
    response = client.post(edit, _data(commitment, "1000.00", description="Notes"))
    assert response.status_code == 302, response.content.decode()[:3000]
    commitment.refresh_from_db()
    assert commitment.description == "Notes"


def test_the_record_page_says_why_its_schedule_of_values_is_locked(account, commitment):
    client = login(member(account, levels=ALL_TOOLS))
    page = client.get(url("record-detail", account, kind="commitments", pk=commitment.pk))
    assert page.status_code == 200
    assert "does not take updates of commitments" in page.text
