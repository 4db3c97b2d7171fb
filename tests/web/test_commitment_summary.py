"""A commitment's page sums it up: original value, approved change orders, revised value,
invoiced to date and what remains, with its change orders and invoices linking to them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations import models as m
from permissions.levels import Level, Tool
from tests.factories import CommitmentFactory, CommitmentLineItemFactory, member
from tests.factories import signed_in as login

READ_ONLY = dict.fromkeys(Tool, Level.READ_ONLY)


def page_of(client: Client, commitment) -> str:
    response = client.get(
        reverse(
            "record-detail",
            kwargs={"account": commitment.account.slug, "kind": "commitments", "pk": commitment.pk},
        )
    )
    assert response.status_code == 200
    return response.text


def figure(text: str, label: str) -> str:
    """The amount shown after ``label`` in the summary."""
    found = re.search(rf"<dt>{re.escape(label)}</dt><dd[^>]*>(?:<strong>)?([^<]+)", text)
    assert found, f"no {label!r} in the summary"
    return found.group(1)


def change_order(commitment, number: str, status: str, *amounts: str):
    order = m.CommitmentChangeOrder.objects.create(
        account=commitment.account,
        commitment=commitment,
        number=number,
        title=f"Change {number}",
        status=status,
    )
    for position, amount in enumerate(amounts, 1):
        m.CommitmentChangeOrderLineItem.objects.create(
            change_order=order, position=position, amount=Decimal(amount)
        )
    return order


def invoice(commitment, number: str, status: str, work: str, stored: str = "0"):
    found = m.SubcontractorInvoice.objects.create(
        account=commitment.account,
        commitment=commitment,
        number=number,
        status=status,
        billing_date=datetime.date(2026, 10, 31),
    )
    m.SubcontractorInvoiceLineItem.objects.create(
        invoice=found,
        commitment_line=commitment.lines.first(),
        work_completed=Decimal(work),
        materials_stored=Decimal(stored),
    )
    return found


@pytest.fixture
def commitment(account):
    c = CommitmentFactory(account=account, number="SC-002")
    CommitmentLineItemFactory(commitment=c, amount="1000.00")
    CommitmentLineItemFactory(commitment=c, amount="500.00")
    return c


@pytest.mark.django_db
def test_the_summary_adds_approved_change_orders_and_subtracts_what_was_invoiced(commitment):
    approved = change_order(commitment, "CCO-1", m.ChangeOrderStatus.APPROVED, "150.00", "50.00")
    change_order(commitment, "CCO-2", m.ChangeOrderStatus.PENDING, "999.00")
    billed = invoice(commitment, "INV-7", m.InvoiceStatus.UNDER_REVIEW, "300.00", "100.00")
    invoice(commitment, "INV-8", m.InvoiceStatus.DRAFT, "50.00")  # not yet invoiced

    text = page_of(login(member(commitment.account, levels=READ_ONLY)), commitment)

    assert figure(text, "Original value") == "1,500.00"
    assert figure(text, "Approved change orders") == "200.00"
    assert figure(text, "Revised value") == "1,700.00"
    assert figure(text, "Invoiced to date") == "400.00"
    assert figure(text, "Remaining to invoice") == "1,300.00"
    assert "Change orders (2)" in text and "Invoices (2)" in text
    slug = commitment.account.slug
    assert f'href="/a/{slug}/commitment-change-orders/{approved.pk}/"' in text
    assert f'href="/a/{slug}/subcontractor-invoices/{billed.pk}/"' in text
    assert "999.00" in text  # the pending change order is listed, not counted


@pytest.mark.django_db
def test_without_invoices_to_see_the_page_says_nothing_of_them(commitment):
    invoice(commitment, "INV-7", m.InvoiceStatus.APPROVED, "300.00")
    user = member(commitment.account, levels={Tool.COMMITMENTS: Level.READ_ONLY})
    text = page_of(login(user), commitment)
    assert figure(text, "Revised value") == "1,500.00"
    assert "Invoiced to date" not in text
    assert "INV-7" not in text


@pytest.mark.django_db
def test_a_commitment_without_change_orders_or_invoices_says_so(commitment):
    text = page_of(login(member(commitment.account, levels=READ_ONLY)), commitment)
    assert "No change orders yet." in text and "No invoices yet." in text
    assert figure(text, "Remaining to invoice") == "1,500.00"


@pytest.mark.django_db
def test_the_summary_costs_the_same_queries_for_one_or_many_records(commitment):
    client = login(member(commitment.account, levels=READ_ONLY))
    change_order(commitment, "CCO-1", m.ChangeOrderStatus.APPROVED, "10.00")
    invoice(commitment, "INV-1", m.InvoiceStatus.APPROVED, "10.00")
    page_of(client, commitment)  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as one:
        page_of(client, commitment)
    for n in range(2, 14):
        change_order(commitment, f"CCO-{n}", m.ChangeOrderStatus.APPROVED, "10.00", "5.00")
        invoice(commitment, f"INV-{n}", m.InvoiceStatus.APPROVED, "10.00")
    with CaptureQueriesContext(connection) as many:
        text = page_of(client, commitment)
    assert len(many) == len(one)
    assert "The latest 10 of 13." in text
