"""Every collection lists in DRF's page format, narrowed to what the user may see."""

from __future__ import annotations

from decimal import Decimal

import pytest

from integrations import models as m
from permissions.levels import Level, Tool
from tests.api.conftest import COLLECTIONS, build_records, client_for, url
from tests.factories import CommitmentFactory, CompanyFactory, grant, member

pytestmark = pytest.mark.django_db
NAMES = list(COLLECTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_lists_in_the_standard_page_format(name, viewer, records, other_records):
    response = client_for(viewer).get(url(name))
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    assert body["next"] is None and body["previous"] is None
    assert body["results"][0]["id"] == records.of(COLLECTIONS[name]).pk


@pytest.mark.parametrize("name", NAMES)
def test_retrieve(name, viewer, records):
    record = records.of(COLLECTIONS[name])
    response = client_for(viewer).get(url(name, record.pk))
    assert response.status_code == 200
    assert response.json()["id"] == record.pk


@pytest.mark.parametrize("name", NAMES)
def test_another_accounts_record_is_404(name, viewer, records, other_records):
    record = other_records.of(COLLECTIONS[name])
    assert client_for(viewer).get(url(name, record.pk)).status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_a_member_without_grants_sees_nothing(name, nobody, records):
    client = client_for(nobody)
    response = client.get(url(name))
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert client.get(url(name, records.of(COLLECTIONS[name]).pk)).status_code == 404


def test_a_project_grant_hides_that_projects_records(account, records):
    hidden = build_records(account)
    user = member(account, levels={Tool.COMMITMENTS: Level.READ_ONLY})
    grant(user, account, Tool.COMMITMENTS, Level.NONE, project=hidden.project)
    client = client_for(user)
    rows = client.get(url("commitments")).json()["results"]
    assert [row["id"] for row in rows] == [records.commitment.pk]
    assert client.get(url("commitments", hidden.commitment.pk)).status_code == 404
    # The change orders and payments that hang off commitments follow them.
    assert client.get(url("commitment-change-orders", hidden.cco.pk)).status_code == 404
    assert client.get(url("payments", hidden.payment.pk)).status_code == 404
    # Other tools were not granted at all.
    assert client.get(url("budgets")).json()["count"] == 0


def test_a_project_grant_shows_only_that_project(account, records):
    shown = build_records(account)
    user = member(account)
    grant(user, account, Tool.BUDGET, Level.READ_ONLY, project=shown.project)
    rows = client_for(user).get(url("budgets")).json()["results"]
    assert [row["id"] for row in rows] == [shown.budget.pk]


def test_commitment_shows_lines_and_grand_total(viewer, records):
    records.commitment.lines.create(amount=Decimal("0.50"), description="Bond")
    body = client_for(viewer).get(url("commitments", records.commitment.pk)).json()
    assert body["grand_total"] == "125000.50"
    assert [line["description"] for line in body["lines"]] == ["Scope of work", "Bond"]
    assert body["vendor"] == records.company.pk
    assert body["erp_state"] == "unsent"


def test_invoice_totals(viewer, records):
    body = client_for(viewer).get(url("subcontractor-invoices")).json()["results"][0]
    assert body["project"] == records.project.pk
    assert body["totals"] == {
        "work_completed": "1000.00",
        "materials_stored": "0.00",
        "completed_and_stored": "1000.00",
        "retainage": "100.00",
        "retainage_released": "0.00",
        "net_amount": "900.00",
    }
    assert body["lines"][0]["net_amount"] == "900.00"


def test_budget_and_prime_contract_totals(viewer, records):
    client = client_for(viewer)
    assert client.get(url("budgets", records.budget.pk)).json()["total"] == "500.00"
    prime = client.get(url("prime-contracts", records.prime_contract.pk)).json()
    assert prime["original_sum"] == "900.00"
    assert len(prime["lines"]) == 1


def test_filter_by_project_status_erp_state_and_vendor(account, viewer, records):
    other = build_records(account)
    other.commitment.status = m.ContractStatus.DRAFT
    other.commitment.erp_state = m.ErpState.SYNCED
    other.commitment.save()
    client = client_for(viewer)

    def ids(**params):
        response = client.get(url("commitments"), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(project=other.project.pk) == [other.commitment.pk]
    assert ids(status="draft") == [other.commitment.pk]
    assert ids(erp_state="synced") == [other.commitment.pk]
    assert ids(vendor=records.company.pk) == [records.commitment.pk]
    assert ids(project=999999) == []
    assert client.get(url("commitments"), {"status": "bogus"}).status_code == 400


def test_filters_through_the_parent(account, viewer, records):
    other = build_records(account)
    client = client_for(viewer)
    for name, record in (
        ("commitment-change-orders", other.cco),
        ("subcontractor-invoices", other.subcontractor_invoice),
        ("payments", other.payment),
        ("owner-invoices", other.owner_invoice),
        ("prime-contract-change-orders", other.pcco),
    ):
        rows = client.get(url(name), {"project": other.project.pk}).json()["results"]
        assert [row["id"] for row in rows] == [record.pk], name


def test_search_and_ordering(account, viewer, records):
    project = records.project
    vendor = records.company
    for number, title in (("SC-900", "Roofing"), ("SC-901", "Glazing")):
        CommitmentFactory(
            account=account, project=project, vendor=vendor, number=number, title=title
        )
    client = client_for(viewer)
    rows = client.get(url("commitments"), {"search": "roof"}).json()["results"]
    assert [row["title"] for row in rows] == ["Roofing"]
    rows = client.get(url("commitments"), {"ordering": "-number"}).json()["results"]
    assert [row["number"] for row in rows][:2] == ["SC-901", "SC-900"]


def test_pages(account, viewer):
    for n in range(55):
        CompanyFactory(account=account, name=f"Vendor {n:02d}")
    client = client_for(viewer)
    first = client.get(url("companies")).json()
    assert first["count"] == 55 and len(first["results"]) == 50
    assert first["next"].endswith("/api/v1/companies/?page=2")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
