"""*Unlink from ERP* against the real Tryton: refused while Tryton still has the record (the
party, the posted invoice), allowed once a Tryton user deleted (or cancelled) it there, and the
record sent again afterwards. Commitments are not unlinked: Tryton cannot remove a purchase once
it is confirmed (shown here on the server), so the connector does not declare it."""

from __future__ import annotations

from typing import Any

import pytest

import approvals.export_tasks  # noqa: F401  (registers the export task)
from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from connectors.base import ObjectType as T
from connectors.base import PermanentError
from connectors.testing import new_key
from connectors.tryton.harness import TrytonHarness
from erp.models import ErpCall
from integrations.models import ErpState
from integrations.unlinking import UnlinkRefused, record_unlink
from permissions.levels import Level
from tests.api.conftest import build_records, everywhere
from tests.factories import CompanyFactory, member
from tests.integrations.unlinking import reload
from tests.tryton.test_end_to_end import on_tryton

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_on_tryton(account: Any, tryton_settings: dict[str, str]) -> Any:
    on_tryton(account, tryton_settings)
    return account


@pytest.fixture
def admin(account_on_tryton: Any) -> Any:
    """Admin everywhere and an accounting approver: sends, accepts and unlinks."""
    return member(account_on_tryton, levels=everywhere(Level.ADMIN), can_push_to_accounting=True)


def export(item: Any, actor: Any, capture: Any, **erp_fields: str) -> ExportRequest:
    request = export_send(item=reload(item), actor=actor)
    with capture(execute=True):
        export_accept(
            account=item.account, request_ids=[request.pk], actor=actor, erp_fields=erp_fields
        )
    return ExportRequest.objects.get(pk=request.pk)


def parties(client: Any, code: str) -> list[int]:
    return list(client.search("party.party", [("code", "=", code)]))


def test_a_company_comes_off_tryton_and_goes_back(
    account_on_tryton: Any,
    admin: Any,
    tryton: TrytonHarness,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    company = CompanyFactory(account=account_on_tryton, name=f"Unlink Concrete {tryton.tag}")
    code = f"UNL-{tryton.tag}"
    sent = export(company, admin, django_capture_on_commit_callbacks, erp_vendor_id=code)
    assert sent.state == RequestState.SYNCED, sent.error
    company = reload(company)
    assert company.origin_id == code and parties(client, code)

    with pytest.raises(UnlinkRefused) as refused:
        record_unlink(actor=admin, record=company, reason="Merged into another vendor")
    assert f"is still in the ERP as {code}: delete it there first" in refused.value.message
    assert reload(company).erp_state == ErpState.SYNCED

    tryton.remove_record(T.COMPANY, code)  # a Tryton user deletes the party
    record_unlink(actor=admin, record=company, reason="Merged into another vendor")
    company = reload(company)
    assert (company.erp_state, company.origin_id) == (ErpState.UNSENT, None)
    checks = ErpCall.objects.filter(action="unlink_check", item_id=company.pk).order_by("pk")
    assert [c.response for c in checks] == [{"gone": False}, {"gone": True}]

    again = export(company, admin, django_capture_on_commit_callbacks, erp_vendor_id=f"{code}-2")
    assert again.state == RequestState.SYNCED, again.error
    assert reload(company).origin_id == f"{code}-2" and parties(client, f"{code}-2")


def test_an_invoice_is_unlinked_once_cancelled_in_tryton(
    account_on_tryton: Any, admin: Any, tryton: TrytonHarness, client: Any
) -> None:
    connector = tryton.connector()
    filed = connector.export(
        T.SUBCONTRACTOR_INVOICE,
        tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 1),
        new_key(T.SUBCONTRACTOR_INVOICE, 1),
    )
    invoice = build_records(account_on_tryton).subcontractor_invoice
    type(invoice).objects.filter(pk=invoice.pk).update(
        origin_id=filed.origin_id, origin_code=filed.origin_code, erp_state=ErpState.SYNCED
    )
    invoice = reload(invoice)
    with pytest.raises(UnlinkRefused, match=f"still in the ERP as {filed.origin_code}"):
        record_unlink(actor=admin, record=invoice, reason="Billed to the wrong period")
    tryton.remove_record(T.SUBCONTRACTOR_INVOICE, filed.origin_id)  # cancelled in Tryton
    record_unlink(actor=admin, record=invoice, reason="Billed to the wrong period")
    assert reload(invoice).erp_state == ErpState.UNSENT
    (row,) = client.read("account.invoice", [int(filed.origin_id)], ["state"])
    assert row["state"] == "cancelled"


def test_tryton_cannot_unlink_a_commitment(
    account_on_tryton: Any, admin: Any, tryton: TrytonHarness, client: Any
) -> None:
    filed = tryton.connector().export(
        T.COMMITMENT, tryton.sample_payload(T.COMMITMENT, 1), new_key(T.COMMITMENT, 1)
    )
    purchase = int(filed.origin_id)
    # What a Tryton user would try: each is refused once the purchase is confirmed.
    for button in ("draft", "cancel"):
        with pytest.raises(PermanentError, match=f'You can not call "{button}"'):
            client.button("purchase.purchase", button, [purchase])
    with pytest.raises(PermanentError, match="you must cancel it"):
        client.delete("purchase.purchase", [purchase])
    assert tryton.connector().delete_check(T.COMMITMENT, filed.origin_id) is False
    commitment = build_records(account_on_tryton).commitment
    type(commitment).objects.filter(pk=commitment.pk).update(
        origin_id=filed.origin_id, erp_state=ErpState.SYNCED
    )
    with pytest.raises(UnlinkRefused, match="Tryton cannot unlink commitments"):
        record_unlink(actor=admin, record=reload(commitment), reason="Duplicate")
