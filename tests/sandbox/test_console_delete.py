"""The sandbox ERP's users delete a record the portal exported (the console's *Delete a
record*): the connector's ``delete_check`` then says it is gone, so the portal may unlink it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from connectors.base import ObjectType
from connectors.sandbox import SandboxConnector, console
from connectors.sandbox.models import Commitment, Invoice
from connectors.sandbox.seed import ensure_records
from erp.connections import account_key
from permissions.levels import Level, Tool
from tests.factories import member

pytestmark = pytest.mark.django_db

LEDGER = "deleting"


def file(obj_type: str, number: str) -> None:
    ensure_records(LEDGER, obj_type, [(number, number, {"type": obj_type, "amount_due": "100"})])


def test_a_deleted_commitment_is_gone_for_the_connector() -> None:
    file(ObjectType.COMMITMENT, "PO-1042")
    file(ObjectType.COMMITMENT, "PO-1043")
    connector = SandboxConnector({"ledger": LEDGER})
    assert connector.delete_check(ObjectType.COMMITMENT, "PO-1042") is False
    row = console.record_delete(LEDGER, kind="commitment", number="PO-1042")
    assert row.number == "PO-1042"
    assert connector.delete_check(ObjectType.COMMITMENT, "PO-1042") is True
    assert list(Commitment.objects.filter(ledger=LEDGER).values_list("number", flat=True)) == [
        "PO-1043"
    ]


def test_what_the_erp_refuses_to_delete() -> None:
    with pytest.raises(ValidationError) as unknown:
        console.record_delete(LEDGER, kind="commitment", number="PO-9")
    assert unknown.value.message_dict == {"number": ["The ERP has no commitment PO-9."]}
    with pytest.raises(ValidationError) as kind:
        console.record_delete(LEDGER, kind="job", number="J-1")
    assert list(kind.value.message_dict) == ["kind"]
    file(ObjectType.SUBCONTRACTOR_INVOICE, "INV-1003")
    console.payment_post(
        LEDGER, invoice="INV-1003", amount="40", paid_on=datetime.date(2026, 10, 1), method="ach"
    )
    with pytest.raises(ValidationError, match="has payments: void them first"):
        console.record_delete(LEDGER, kind="invoice", number="INV-1003")
    assert Invoice.objects.filter(ledger=LEDGER, number="INV-1003").exists()


def test_the_console_page_deletes(account) -> None:
    ledger = account_key(account)
    ensure_records(ledger, ObjectType.COMMITMENT, [("PO-2001", "SC-001", {"type": "commitment"})])
    client = Client()
    client.force_login(member(account, levels={Tool.ERP_INTEGRATIONS: Level.ADMIN}))
    url = reverse("erp-sandbox-console", kwargs={"account": account.slug})
    body = {"form": "delete", "delete-kind": "commitment", "delete-number": "PO-2001"}
    done = client.post(url, body, follow=True)
    assert "PO-2001 deleted from the ERP" in done.text
    assert not Commitment.objects.filter(ledger=ledger, number="PO-2001").exists()
    again = client.post(url, body)
    assert again.status_code == 400 and "The ERP has no commitment PO-2001." in again.text
