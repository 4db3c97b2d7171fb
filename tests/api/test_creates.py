"""Creates: the policy, same-account references, nested lines, bad input."""

from __future__ import annotations

from typing import cast

import pytest

from integrations import models as m
from permissions.levels import Level, Tool
from tenancy.models import Membership
from tests.api.conftest import build_records, client_for, commitment_payload, url
from tests.factories import CostCodeFactory, grant, member

pytestmark = pytest.mark.django_db


def test_standard_user_creates_a_company(editor, account, other_account):
    response = client_for(editor).post(
        url("companies"),
        {"name": "Acme Drywall", "account": other_account.pk, "erp_state": "synced"},
        format="json",
    )
    assert response.status_code == 201, response.content
    company = m.Company.objects.get(pk=response.json()["id"])
    assert company.account == account  # set by the server, never from input
    assert company.erp_state == m.ErpState.UNSENT  # ERP fields are read-only
    assert response.json()["name"] == "Acme Drywall"


@pytest.mark.parametrize("user", ["viewer", "nobody"])
def test_read_only_or_no_grant_may_not_create(user, request, records):
    client = client_for(request.getfixturevalue(user))
    assert client.post(url("companies"), {"name": "Acme"}, format="json").status_code == 403
    response = client.post(url("commitments"), commitment_payload(records), format="json")
    assert response.status_code == 403
    assert not m.Company.objects.filter(name="Acme").exists()
    assert not m.Commitment.objects.filter(number="SC-500").exists()


def test_standard_on_one_tool_only(account, records):
    user = member(account, levels={Tool.COMMITMENTS: Level.STANDARD})
    client = client_for(user)
    response = client.post(url("commitments"), commitment_payload(records), format="json")
    assert response.status_code == 201, response.content
    assert client.post(url("companies"), {"name": "Acme"}, format="json").status_code == 403


def test_create_is_checked_on_the_target_project(account, records):
    locked_out = build_records(account)
    user = member(account, levels={Tool.COMMITMENTS: Level.STANDARD})
    grant(user, account, Tool.COMMITMENTS, Level.READ_ONLY, project=locked_out.project)
    client = client_for(user)
    payload = commitment_payload(records, project=locked_out.project.pk, lines=[])
    assert client.post(url("commitments"), payload, format="json").status_code == 403
    payload = commitment_payload(records, lines=[])
    assert client.post(url("commitments"), payload, format="json").status_code == 201


def test_standard_user_without_create_project_may_not_create_one(editor, account):
    payload = {"number": "2026-015", "name": "Not allowed", "estimated_value": "1.00"}
    assert client_for(editor).post(url("projects"), payload, format="json").status_code == 403
    assert not m.Project.objects.filter(number="2026-015").exists()


def test_create_new_project_privilege_creates_a_project(editor, account):
    Membership.objects.filter(user=editor).update(can_create_project=True)
    client = client_for(editor)
    payload = {"number": "2026-014", "name": "Riverside Clinic", "estimated_value": "8500000.00"}
    response = client.post(url("projects"), payload, format="json")
    assert response.status_code == 201, response.content
    assert m.Project.objects.get(number="2026-014").account == account
    duplicate = client.post(url("projects"), payload, format="json")
    assert duplicate.status_code == 400
    assert list(duplicate.json()) == ["number"]
    assert m.Project.objects.filter(number="2026-014").count() == 1


def test_create_a_commitment_with_its_schedule_of_values(editor, records):
    response = client_for(editor).post(
        url("commitments"), commitment_payload(records), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grand_total"] == "3500.50"
    assert [(line["position"], line["description"]) for line in body["lines"]] == [
        (1, "Columns"),
        (2, "Beams"),
    ]
    commitment = m.Commitment.objects.get(pk=body["id"])
    assert commitment.created_by == editor
    assert body["created_by"] == editor.pk
    assert commitment.lines.count() == 2


def test_a_duplicate_number_names_the_field(editor, records):
    payload = commitment_payload(records, number=records.commitment.number, lines=[])
    response = client_for(editor).post(url("commitments"), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["number"]
    assert "already exists" in response.json()["number"][0]


@pytest.mark.parametrize("field", ["vendor", "project"])
def test_a_reference_to_another_account_is_400(field, editor, records, other_records):
    other = {"vendor": other_records.company, "project": other_records.project}[field]
    payload = commitment_payload(records, **{field: other.pk})
    response = client_for(editor).post(url("commitments"), payload, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "in this account" in response.json()[field][0]
    assert not m.Commitment.objects.filter(number="SC-500").exists()


def test_a_line_reference_to_another_account_is_400(editor, records, other_records):
    payload = commitment_payload(
        records, lines=[{"cost_code": other_records.cost_code.pk, "amount": "1.00"}]
    )
    response = client_for(editor).post(url("commitments"), payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "lines": {
            "0": {"cost_code": [f"No record with id {other_records.cost_code.pk} in this account."]}
        }
    }


def test_a_cost_code_of_another_project_is_400(editor, account, records):
    elsewhere = cast(m.CostCode, CostCodeFactory(account=account))
    payload = commitment_payload(records, lines=[{"cost_code": elsewhere.pk, "amount": "1.00"}])
    response = client_for(editor).post(url("commitments"), payload, format="json")
    assert response.status_code == 400
    assert "not on this record's project" in response.json()["lines"][0]
    assert not m.Commitment.objects.filter(number="SC-500").exists()


def test_bad_input_is_400_with_field_errors(editor, records):
    payload = commitment_payload(records, retainage_percent="-1", status="signed")
    payload["lines"][0]["amount"] = "lots"
    response = client_for(editor).post(url("commitments"), payload, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"retainage_percent", "status", "lines"}
    assert errors["lines"] == {"0": {"amount": ["A valid number is required."]}}
    assert not m.Commitment.objects.filter(number="SC-500").exists()


def test_create_a_change_order_and_invoice_on_a_commitment(editor, records):
    client = client_for(editor)
    line = records.commitment_line
    response = client.post(
        url("commitment-change-orders"),
        {
            "commitment": records.commitment.pk,
            "number": "002",
            "title": "Added scope",
            "lines": [{"commitment_line": line.pk, "amount": "400.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["total"] == "400.00"
    assert response.json()["project"] == records.project.pk
    assert m.CommitmentChangeOrder.objects.get(number="002").created_by == editor

    response = client.post(
        url("subcontractor-invoices"),
        {
            "commitment": records.commitment.pk,
            "number": "2",
            "billing_date": "2026-05-31",
            "lines": [
                {"commitment_line": line.pk, "work_completed": "2000.00", "work_retainage": "200"}
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["totals"]["net_amount"] == "1800.00"


def test_a_line_of_another_commitment_is_400(editor, account, records):
    other = build_records(account)
    response = client_for(editor).post(
        url("subcontractor-invoices"),
        {
            "commitment": records.commitment.pk,
            "number": "9",
            "billing_date": "2026-05-31",
            "lines": [{"commitment_line": other.commitment_line.pk, "work_completed": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "not on this commitment" in response.json()["lines"][0]


def test_create_prime_contract_pcco_owner_invoice_and_direct_cost(editor, records):
    client = client_for(editor)
    prime = client.post(
        url("prime-contracts"),
        {
            "project": records.project.pk,
            "number": "PC-900",
            "title": "Clinic GMP",
            "owner": records.company.pk,
            "lines": [{"description": "General conditions", "amount": "50000.00"}],
        },
        format="json",
    )
    assert prime.status_code == 201, prime.content
    assert prime.json()["original_sum"] == "50000.00"
    prime_line = prime.json()["lines"][0]["id"]
    pcco = client.post(
        url("prime-contract-change-orders"),
        {
            "prime_contract": prime.json()["id"],
            "number": "001",
            "title": "Owner upgrade",
            "lines": [{"prime_line": prime_line, "amount": "1200.00"}],
        },
        format="json",
    )
    assert pcco.status_code == 201, pcco.content
    owner_invoice = client.post(
        url("owner-invoices"),
        {
            "prime_contract": prime.json()["id"],
            "application_number": 1,
            "billing_date": "2026-05-31",
            "lines": [{"prime_line": prime_line, "work_completed": "10000.00"}],
        },
        format="json",
    )
    assert owner_invoice.status_code == 201, owner_invoice.content
    direct_cost = client.post(
        url("direct-costs"),
        {
            "project": records.project.pk,
            "vendor": records.company.pk,
            "date": "2026-05-02",
            "kind": "expense",
            "lines": [{"cost_code": records.cost_code.pk, "amount": "80.25"}],
        },
        format="json",
    )
    assert direct_cost.status_code == 201, direct_cost.content
    assert direct_cost.json()["total"] == "80.25"


@pytest.mark.parametrize(
    "name", ["sub-jobs", "cost-codes", "budgets", "job-cost-transactions", "payments"]
)
def test_records_from_the_erp_are_read_only(name, admin, records):
    assert client_for(admin).post(url(name), {}, format="json").status_code == 405


def test_no_put(editor, records):
    response = client_for(editor).put(
        url("companies", records.company.pk), {"name": "X"}, format="json"
    )
    assert response.status_code == 405
