"""The sandbox ERP's console page: ERP admins act as the ERP's own users; what they save
changes the ledger (and comes with the next fetch), what the ERP refuses is shown next to the
field and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from connectors.base import ObjectType
from connectors.sandbox import SandboxConnector
from connectors.sandbox.models import CostCode, Invoice, JobCostTransaction, Payment, Vendor
from connectors.sandbox.seed import ensure_records
from demo.seed import seed_demo
from erp.connections import connection_for
from permissions.levels import Level, Tool
from tests.factories import member

LEDGER = "summit"  # the demo's ledger (its account's slug)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_demo(username: str) -> Client:
    return client_for(get_user_model().objects.get(username=username))


def url(name: str = "erp-sandbox-console") -> str:
    return reverse(name, kwargs={"account": "summit"})


@pytest.fixture
def demo(db):
    account = seed_demo()
    ensure_records(
        LEDGER,
        ObjectType.SUBCONTRACTOR_INVOICE,
        [
            (
                "INV-1003",
                "RMC2401-08",
                {"type": "subcontractor_invoice", "amount_due": "48210.00"},
            )
        ],
    )
    return account


def post(client: Client, form: str, **values: str):
    return client.post(url(), {"form": form, **{f"{form}-{k}": v for k, v in values.items()}})


def error_of(page, form: str, field: str) -> str:
    """The error shown next to the field (empty: none)."""
    found = re.search(rf'id="id_{form}-{field}-error">([^<]*)<', page.text)
    return found.group(1) if found else ""


def test_an_erp_admin_uses_the_console_a_standard_user_may_not(demo):
    page = as_demo("erpadmin").get(url())
    assert page.status_code == 200
    for title in ("Add or change a vendor", "Pay an invoice", "Void a payment"):
        assert title in page.text
    assert "INV-1003 · RMC2401-08 · 48,210.00 left to pay" in page.text

    standard = member(demo, levels={Tool.ERP_INTEGRATIONS: Level.STANDARD})
    before = Vendor.objects.filter(ledger=LEDGER).count()
    assert client_for(standard).get(url()).status_code == 403
    refused = post(client_for(standard), "vendor", name="Sneaky Supply")
    assert refused.status_code == 403
    assert Vendor.objects.filter(ledger=LEDGER).count() == before
    for username in ("viewer", "pm", "nobody"):
        assert as_demo(username).get(url()).status_code == 403, username


def test_saving_a_vendor_says_when_it_reaches_the_portal(demo):
    admin = as_demo("erpadmin")
    page = post(admin, "vendor", name="Front Range Rebar Supply", city="Denver", is_active="on")
    assert page.status_code == 302
    vendor = Vendor.objects.get(ledger=LEDGER, name="Front Range Rebar Supply")
    shown = admin.get(url())
    assert (
        f"Vendor {vendor.number} saved in the ERP. It arrives in the portal on the next sync "
        "of vendors."
    ) in shown.text
    assert vendor.data["city"] == "Denver"


def test_a_job_a_cost_code_and_deactivating_it(demo):
    admin = as_demo("erpadmin")
    assert post(admin, "job", number="J-2409", name="Golden Library", start_date="2027-01-11")
    assert post(admin, "cost_code", full_code="09-250", name="Gypsum Board").status_code == 302
    assert CostCode.objects.get(ledger=LEDGER, number="CC-09-250").data["parent"] == "CC-09"
    done = post(admin, "deactivate", number="CC-09-250")
    assert done.status_code == 302
    assert CostCode.objects.get(ledger=LEDGER, number="CC-09-250").data["is_active"] is False
    follow = admin.get(url())
    assert "Cost code 09-250 deactivated in the ERP." in follow.text
    refused = post(admin, "cost_code", full_code="48-100", name="Electrical Power Generation")
    assert refused.status_code == 400
    assert "Add division 48 to the ERP before its codes." in error_of(
        refused, "cost_code", "full_code"
    )


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("-5", "Enter an amount more than zero."),
        ("lots", "Enter a number."),
        ("48210.01", "has 48,210.00 left to pay; 48,210.01 is more."),
    ],
)
def test_a_bad_amount_is_shown_in_place_and_changes_nothing(demo, amount, words):
    page = post(
        as_demo("erpadmin"),
        "payment",
        invoice="INV-1003",
        amount=amount,
        paid_on="2026-10-30",
        method="check",
        check_number="104233",
    )
    assert page.status_code == 400
    assert words in error_of(page, "payment", "amount")
    assert 'value="INV-1003" selected' in page.text  # what was typed stays
    assert not Payment.objects.filter(ledger=LEDGER, data__invoice="INV-1003").exists()


def test_a_voided_payment_comes_again_on_the_next_fetch_void(demo):
    connector = SandboxConnector({"ledger": LEDGER})
    # What the portal has seen: the payments of the demo's exported invoices (its first sync).
    seen = [batch.cursor for batch in connector.fetch("payments", "")]
    admin = as_demo("erpadmin")
    paid = post(
        admin,
        "payment",
        invoice="INV-1003",
        amount="20000",
        paid_on="2026-10-30",
        method="check",
        check_number="104233",
    )
    assert paid.status_code == 302
    payment = Payment.objects.get(ledger=LEDGER, data__invoice="INV-1003")
    page = admin.get(url())
    assert (
        f"Payment {payment.number} of 20,000.00 posted to invoice INV-1003 (partly paid). It "
        "arrives in the portal on the next sync of payments."
    ) in page.text
    batches = list(connector.fetch("payments", seen[-1] if seen else ""))
    assert [r["status"] for b in batches for r in b.records] == ["partial"]

    assert post(admin, "void", payment=payment.number).status_code == 302
    assert f"Payment {payment.number} voided in the ERP." in admin.get(url()).text
    (again,) = connector.fetch("payments", batches[-1].cursor)
    assert [(r["origin_id"], r["status"]) for r in again.records] == [(payment.number, "void")]
    # a void payment cannot be voided again: it is no longer offered
    assert post(admin, "void", payment=payment.number).status_code == 400


def test_posting_job_costs_from_the_console(demo):
    done = post(as_demo("erpadmin"), "job_costs", job="J-2401", count="25")
    assert done.status_code == 302
    assert JobCostTransaction.objects.filter(ledger=LEDGER, data__job="J-2401").count() >= 25


def test_the_console_is_only_for_the_sandbox(demo):
    connection = connection_for(demo)
    connection.connector_key = "tryton"
    connection.save()
    assert as_demo("erpadmin").get(url()).status_code == 404


def test_the_ledger_page_links_to_the_console_for_those_who_may_use_it(demo):
    assert url() in as_demo("erpadmin").get(url("erp-sandbox")).text
    assert url() not in as_demo("viewer").get(url("erp-sandbox")).text
    prime = as_demo("viewer").get(url("erp-sandbox"), {"kind": "prime contracts"})
    assert prime.status_code == 200 and "PC-2405" in prime.text
    invoices = as_demo("viewer").get(url("erp-sandbox"), {"kind": "invoices"})
    numbers = Invoice.objects.filter(ledger=LEDGER).values_list("number", flat=True)
    assert len(numbers) == 4  # the demo's three exported invoices, and the fixture's
    assert all(number in invoices.text for number in numbers)
