"""Record lists as people use them every day: sorted by a click on a column's heading, filtered
as they choose or type (the address kept in step), each row placed in its project."""

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
from tests.factories import (
    CommitmentFactory,
    CompanyFactory,
    PrimeContractFactory,
    ProjectFactory,
    member,
)
from tests.factories import signed_in as login

READ_ONLY = dict.fromkeys(Tool, Level.READ_ONLY)


def list_url(account, kind: str) -> str:
    return reverse("record-list", kwargs={"account": account.slug, "kind": kind})


def numbers(text: str) -> list[str]:
    """The first cell's text of each row of the list, top to bottom."""
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [n.strip() for n in re.findall(r"<tr><td[^>]*><a href=\"[^\"]+\">([^<]+)</a>", body)]


def heading(text: str, name: str) -> str:
    """The ``<th>`` of the column headed ``name``."""
    for th in re.findall(r"<th scope=\"col\"[^>]*>.*?</th>", text.split("<thead>", 1)[1]):
        if re.sub(r"<[^>]+>|[▲▼]", "", th).strip() == name:
            return th
    raise AssertionError(f"no column {name!r}")


@pytest.fixture
def client(account) -> Client:
    return login(member(account, levels=READ_ONLY))


@pytest.fixture
def three(account):
    return [
        CommitmentFactory(account=account, number=number, title=title)
        for number, title in (("SC-002", "Bravo"), ("SC-003", "Alpha"), ("SC-001", "Charlie"))
    ]


@pytest.mark.django_db
def test_a_click_on_a_heading_sorts_ascending_then_descending(account, client, three):
    url = list_url(account, "commitments")
    first = client.get(url)
    th = heading(first.text, "Title")
    assert "aria-sort" not in th
    assert 'href="?ordering=title"' in th

    up = client.get(url, {"ordering": "title"})
    assert numbers(up.text) == ["SC-003", "SC-002", "SC-001"]  # Alpha, Bravo, Charlie
    th = heading(up.text, "Title")
    assert 'aria-sort="ascending"' in th and "▲" in th
    assert 'href="?ordering=-title"' in th  # the next click sorts the other way

    down = client.get(url, {"ordering": "-title"})
    assert numbers(down.text) == ["SC-001", "SC-002", "SC-003"]
    th = heading(down.text, "Title")
    assert 'aria-sort="descending"' in th and "▼" in th
    assert 'href="?ordering=title"' in th


@pytest.mark.django_db
def test_only_declared_columns_sort(account, client, three):
    page = client.get(list_url(account, "commitments"), {"ordering": "total"})
    assert page.status_code == 200
    assert "<a" not in heading(page.text, "Original value")  # a sum of lines: no link
    assert "aria-sort" not in page.text  # an order the kind does not declare is ignored
    unknown = client.get(list_url(account, "commitments"), {"ordering": "account__name"})
    assert unknown.status_code == 200 and "aria-sort" not in unknown.text


@pytest.mark.django_db
def test_sorting_keeps_the_filters_and_filtering_keeps_the_order(account, client, three):
    project = three[0].project
    page = client.get(
        list_url(account, "commitments"), {"project": project.pk, "ordering": "-number", "page": 2}
    )
    th = heading(page.text, "Number")
    assert f"project={project.pk}" in th and "page=" not in th
    # The filter form carries the order, so choosing a filter keeps the list sorted.
    assert '<input type="hidden" name="ordering" value="-number">' in page.text


@pytest.mark.django_db
def test_a_sorted_list_costs_the_same_queries_for_any_number_of_rows(account, client, three):
    url = list_url(account, "commitments")
    client.get(url, {"ordering": "vendor"})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"ordering": "vendor"})
    for n in range(10):
        CommitmentFactory(account=account, number=f"SC-1{n:02d}")
    with CaptureQueriesContext(connection) as many:
        client.get(url, {"ordering": "vendor"})
    assert len(many) == len(few)


@pytest.mark.django_db
def test_filters_apply_as_chosen_and_the_address_follows(account, client, three):
    text = client.get(list_url(account, "commitments")).text
    form = re.search(r"<form method=\"get\" class=\"filters\"[^>]*>", text).group(0)
    assert "data-live-filters" in form  # static/js/lists.js submits it on a choice, or typing
    assert 'hx-push-url="true"' in form and 'hx-target="#record-results"' in form
    assert "/static/js/lists.js" in text
    assert "<script>" not in text  # no inline script: the CSP forbids it
    # The answer to the form's request holds the results it swaps in.
    swapped = client.get(
        list_url(account, "commitments"), {"q": "Alpha"}, headers={"HX-Request": "true"}
    )
    results = swapped.text.split('id="record-results"', 1)[1]
    assert numbers("<tbody>" + results.split("<tbody>", 1)[1]) == ["SC-003"]


@pytest.mark.django_db
def test_filters_use_the_pages_words(account, client):
    invoices = client.get(list_url(account, "subcontractor-invoices")).text
    assert "Commitment project" not in invoices
    assert re.search(r"<label>Project <select name=\"commitment__project\"", invoices)
    projects = client.get(list_url(account, "projects")).text
    active = re.search(r"<select name=\"is_active\".*?</select>", projects, re.S).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", active) == ["Any", "Yes", "No"]
    assert "Unknown" not in projects


@pytest.mark.django_db
def test_yes_no_filters_filter(account, client):
    ProjectFactory(account=account, number="P-ON", is_active=True)
    ProjectFactory(account=account, number="P-OFF", is_active=False)
    url = list_url(account, "projects")
    assert numbers(client.get(url, {"is_active": "false"}).text) == ["P-OFF"]
    assert sorted(numbers(client.get(url, {"is_active": ""}).text)) == ["P-OFF", "P-ON"]


@pytest.mark.django_db
def test_invoice_and_change_order_lists_name_the_project(account, client):
    for name in ("Harbor Tower", "Mill Street"):
        c = CommitmentFactory(account=account, number="SC-002", project__name=name)
        m.CommitmentChangeOrder.objects.create(
            account=account, commitment=c, number="CCO-1", title="Extra"
        )
        m.SubcontractorInvoice.objects.create(
            account=account, commitment=c, number="7", billing_date=datetime.date(2026, 10, 1)
        )
    for kind in ("subcontractor-invoices", "commitment-change-orders"):
        text = client.get(list_url(account, kind)).text
        heading(text, "Project")
        assert "Harbor Tower" in text and "Mill Street" in text, kind
    for kind in ("owner-invoices", "prime-contract-change-orders"):
        heading(client.get(list_url(account, kind)).text, "Project")


@pytest.mark.django_db
def test_direct_costs_do_not_claim_a_state_they_can_never_leave(account, client):
    vendor = CompanyFactory(account=account)
    cost = m.DirectCost.objects.create(
        account=account,
        project=ProjectFactory(account=account),
        vendor=vendor,
        invoice_number="DC-1",
        date=datetime.date(2026, 9, 30),
    )
    text = client.get(list_url(account, "direct-costs")).text
    assert "DC-1" in text
    assert "Not sent" not in text and "ERP status" not in text
    detail = client.get(
        reverse(
            "record-detail", kwargs={"account": account.slug, "kind": "direct-costs", "pk": cost.pk}
        )
    ).text
    assert "Not sent" not in detail
    assert "Portal only" in detail


@pytest.mark.django_db
def test_records_only_imported_say_they_came_from_the_erp(account, client):
    PrimeContractFactory(account=account, number="PC-1")
    PrimeContractFactory(account=account, number="PC-2", erp_state=m.ErpState.SYNCED, origin_id="9")
    text = client.get(list_url(account, "prime-contracts")).text
    body = text.split("<tbody>", 1)[1]
    assert "Not sent" not in body
    assert "From the ERP" in body and "Portal only" in body


@pytest.mark.django_db
def test_job_costs_sort_by_amount(account, client):
    project = ProjectFactory(account=account)
    for amount, doc in (("20.00", "B"), ("5.00", "A"), ("300.00", "C")):
        m.JobCostTransaction.objects.create(
            account=account,
            project=project,
            source_document=doc,
            amount=Decimal(amount),
            transaction_date=datetime.date(2026, 9, 30),
        )
    text = client.get(list_url(account, "job-cost-transactions"), {"ordering": "-amount"}).text
    body = text.split("<tbody>", 1)[1]
    assert body.index("300.00") < body.index("20.00") < body.index("5.00")
    assert 'aria-sort="descending"' in heading(text, "Amount")
