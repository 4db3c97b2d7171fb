"""Nonsense is refused where records are written, by the web forms and the API alike, with a
message naming the field, and nothing changes: control characters in text, amounts beyond their
digits or below zero where the business has none, retainage over 100%, dates outside
1900-2200, periods that end before they start, ids that are not whole numbers, and an
approver's accept field typed with an escape character."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from approvals.models import ExportRequest, RequestState
from approvals.services import export_accept, export_send
from demo.seed import seed_demo
from integrations import models as m
from integrations.services import record_update
from permissions.levels import Level
from tests.api.conftest import Records, build_records, client_for, everywhere, url
from tests.factories import CompanyFactory, member

pytestmark = pytest.mark.django_db

ESC = "\x1b"
# DRF words the model's range in its own terms (and the schema shows it as minimum/maximum).
NEGATIVE = "Ensure this value is greater than or equal to 0."
# One of each class refused in a single-line field.
CONTROLS = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "TAB": "\t",
    "DEL": "\x7f",
    "C1 NEL": "\x85",
    "RLO override": "\u202e",
    "LRI isolate": "\u2066",
}


@pytest.fixture
def records(account: Any) -> Records:
    return build_records(account)


@pytest.fixture
def admin(account: Any) -> Any:
    return member(account, username="ada", levels=everywhere(Level.ADMIN))


@pytest.fixture
def api(account: Any, admin: Any) -> Any:
    return client_for(admin, account)


@pytest.fixture
def web(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def edit_url(account: Any, kind: str, pk: int) -> str:
    return reverse("record-edit", kwargs={"account": account.slug, "kind": kind, "pk": pk})


def errors_of(response: Any) -> dict[str, Any]:
    assert response.status_code == 400, response.content
    return dict(response.json())


def commitment_form(commitment: m.Commitment, **changes: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "project": commitment.project_id,
        "kind": commitment.kind,
        "number": commitment.number,
        "title": commitment.title,
        "vendor": commitment.vendor_id,
        "status": commitment.status,
        "retainage_percent": str(commitment.retainage_percent),
        "description": commitment.description,
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def line_form(commitment: m.Commitment, amount: str) -> dict[str, Any]:
    line = commitment.lines.get()
    return {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-id": line.pk,
        "lines-0-position": "1",
        "lines-0-description": line.description,
        "lines-0-cost_code": line.cost_code_id or "",
        "lines-0-amount": amount,
    }


# --- Control characters -------------------------------------------------------------------------


@pytest.mark.parametrize("char", CONTROLS.values(), ids=CONTROLS.keys())
def test_a_title_with_a_control_character_is_refused_by_the_api(api, records, char):
    commitment = records.commitment
    response = api.patch(url("commitments", commitment.pk), {"title": f"Roof{char}ing"}, "json")
    (message,) = errors_of(response)["title"]
    assert message.startswith("Title contains a control character (U+")
    commitment.refresh_from_db()
    assert char not in commitment.title


def test_a_name_with_an_escape_is_refused_by_the_web_form(account, web, records):
    project = records.project
    data = {
        "number": project.number,
        "name": f"Harbor{ESC}[31m Tower",
        "stage": project.stage,
        "country_code": "US",
        "estimated_value": "0",
        "erp_integrated": "on",
    }
    response = web.post(edit_url(account, "projects", project.pk), data)
    assert response.status_code == 400
    assert "Name contains a control character (U+001B" in response.text
    project.refresh_from_db()
    assert ESC not in project.name


def test_a_new_record_with_a_control_character_is_not_created(api, records):
    body = {"name": f"Acme{ESC} Steel", "vendor_type": "subcontractor"}
    assert "name" in errors_of(api.post(url("companies"), body, "json"))
    assert not m.Company.objects.filter(name__startswith="Acme").exists()


def test_multi_line_text_keeps_its_lines_and_tabs_but_not_escapes(api, records):
    commitment = records.commitment
    notes = "Scope:\r\n\tRoofing\n\tFlashing"
    response = api.patch(url("commitments", commitment.pk), {"description": notes}, "json")
    assert response.status_code == 200, response.json()
    assert m.Commitment.objects.get(pk=commitment.pk).description == notes
    response = api.patch(url("commitments", commitment.pk), {"description": f"x{ESC}y"}, "json")
    assert errors_of(response)["description"][0].startswith("Description contains a control")


def test_a_line_with_a_control_character_is_refused_and_the_lines_kept(api, records):
    commitment, line = records.commitment, records.commitment_line
    lines = [{"id": line.pk, "description": "Deck\u202egnikcalb", "amount": "10.00"}]
    response = api.patch(url("commitments", commitment.pk), {"lines": lines}, "json")
    assert errors_of(response)["lines"] == [
        "Line 1: Description contains a control character "
        "(U+202E RIGHT-TO-LEFT OVERRIDE); type it again without it."
    ]
    assert list(commitment.lines.values_list("pk", "amount")) == [(line.pk, line.amount)]


def test_the_account_name_with_a_control_character_is_refused(api, account):
    response = api.patch("/api/v1/settings/", {"name": f"Summit{ESC}"}, "json")
    assert errors_of(response)["name"][0].startswith("Name contains a control character")
    account.refresh_from_db()
    assert account.name == "Summit Builders"


# --- Amounts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.005", "Ensure that there are no more than 2 decimal places."),
        (
            "12345678901234",
            "Ensure that there are no more than 13 digits before the decimal point.",
        ),
    ],
)
def test_estimated_value_beyond_its_digits_is_refused_by_the_api(api, records, value, expected):
    project = records.project
    response = api.patch(url("projects", project.pk), {"estimated_value": value}, "json")
    assert errors_of(response) == {"estimated_value": [expected]}
    project.refresh_from_db()
    assert project.estimated_value == Decimal("0.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10.005", "Estimated value has more than 2 decimal places."),
        ("12345678901234", "Estimated value has more than 13 digits before the decimal point."),
        ("-1", "Estimated value: cannot be negative."),
        ("NaN", "Estimated value is not a number."),
    ],
)
def test_the_service_refuses_amounts_whoever_calls_it(account, admin, records, value, expected):
    """The web form and the API check digits first; the record service is the last word, for
    every caller."""
    project = records.project
    with pytest.raises(ValidationError) as refused:
        record_update(
            actor=admin,
            account=account,
            instance=project,
            changes={"estimated_value": Decimal(value)},
        )
    assert refused.value.message_dict == {"estimated_value": [expected]}
    assert m.Project.objects.get(pk=project.pk).estimated_value == Decimal("0.00")


def test_a_negative_estimated_value_is_refused(api, records):
    response = api.patch(url("projects", records.project.pk), {"estimated_value": "-5"}, "json")
    assert errors_of(response) == {"estimated_value": [NEGATIVE]}


def test_a_negative_schedule_of_values_line_is_refused_by_the_api(api, records):
    commitment, line = records.commitment, records.commitment_line
    lines = [{"id": line.pk, "amount": "-500.00", "quantity": "-2", "unit_cost": "-250"}]
    response = api.patch(url("commitments", commitment.pk), {"lines": lines}, "json")
    assert errors_of(response)["lines"]["0"] == {
        "amount": [NEGATIVE],
        "quantity": [NEGATIVE],
        "unit_cost": [NEGATIVE],
    }
    assert commitment.lines.get().amount == line.amount


def test_a_negative_schedule_of_values_line_is_refused_by_the_web_form(account, web, records):
    commitment = records.commitment
    data = {**commitment_form(commitment), **line_form(commitment, "-500.00")}
    response = web.post(edit_url(account, "commitments", commitment.pk), data)
    assert response.status_code == 400
    assert "Cannot be negative." in response.text
    assert commitment.lines.get().amount == records.commitment_line.amount


def test_a_negative_prime_contract_line_is_refused(api, records):
    contract = records.prime_contract
    response = api.patch(
        url("prime-contracts", contract.pk), {"lines": [{"amount": "-1.00"}]}, "json"
    )
    assert errors_of(response)["lines"] == {"0": {"amount": [NEGATIVE]}}


def test_a_deductive_change_order_line_is_accepted(api, records):
    """A change order that takes work out of the contract is normal: its lines may be
    negative."""
    cco = records.cco
    lines = [{"commitment_line": records.commitment_line.pk, "amount": "-250.00"}]
    response = api.patch(url("commitment-change-orders", cco.pk), {"lines": lines}, "json")
    assert response.status_code == 200, response.json()
    assert [line.amount for line in cco.lines.all()] == [Decimal("-250.00")]


def test_negative_work_completed_on_an_invoice_is_refused(api, records):
    invoice = records.subcontractor_invoice
    lines = [{"commitment_line": records.commitment_line.pk, "work_completed": "-100.00"}]
    response = api.patch(url("subcontractor-invoices", invoice.pk), {"lines": lines}, "json")
    assert errors_of(response)["lines"] == {"0": {"work_completed": [NEGATIVE]}}
    assert invoice.lines.get().work_completed == Decimal("1000.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("150", "Ensure this value is less than or equal to 100."), ("-1", NEGATIVE)],
)
def test_retainage_outside_0_to_100_is_refused_by_the_api(api, records, value, expected):
    commitment = records.commitment
    response = api.patch(url("commitments", commitment.pk), {"retainage_percent": value}, "json")
    assert errors_of(response) == {"retainage_percent": [expected]}
    commitment.refresh_from_db()
    assert commitment.retainage_percent == Decimal("10.00")


def test_retainage_of_150_is_refused_by_the_web_form(account, web, records):
    commitment = records.commitment
    data = commitment_form(commitment, retainage_percent="150")
    response = web.post(edit_url(account, "commitments", commitment.pk), data)
    assert response.status_code == 400
    assert "Must be from 0 to 100." in response.text
    commitment.refresh_from_db()
    assert commitment.retainage_percent == Decimal("10.00")


# --- Dates and periods --------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_a_date_outside_1900_to_2200_is_refused(api, records, day):
    invoice = records.subcontractor_invoice
    response = api.patch(url("subcontractor-invoices", invoice.pk), {"billing_date": day}, "json")
    assert errors_of(response) == {
        "billing_date": ["Billing date must be between 1900-01-01 and 2200-12-31."]
    }
    invoice.refresh_from_db()
    assert invoice.billing_date == datetime.date(2026, 4, 1)


def test_a_date_in_year_1_is_refused_by_the_web_form(account, web, records):
    project = records.project
    data = {
        "number": project.number,
        "name": project.name,
        "stage": project.stage,
        "country_code": "US",
        "estimated_value": "0",
        "start_date": "0001-01-01",
    }
    response = web.post(edit_url(account, "projects", project.pk), data)
    assert response.status_code == 400
    assert "Start date must be between 1900-01-01 and 2200-12-31." in response.text
    project.refresh_from_db()
    assert project.start_date is None


@pytest.mark.parametrize(
    ("collection", "record", "start", "end", "expected"),
    [
        (
            "subcontractor-invoices",
            "subcontractor_invoice",
            "period_start",
            "period_end",
            "Period end (2026-03-01) is before the period start (2026-03-31).",
        ),
        (
            "owner-invoices",
            "owner_invoice",
            "period_start",
            "period_end",
            "Period end (2026-03-01) is before the period start (2026-03-31).",
        ),
        (
            "projects",
            "project",
            "start_date",
            "completion_date",
            "Completion date (2026-03-01) is before the start date (2026-03-31).",
        ),
        (
            "prime-contracts",
            "prime_contract",
            "start_date",
            "completion_date",
            "Completion date (2026-03-01) is before the start date (2026-03-31).",
        ),
    ],
)
def test_a_period_that_ends_before_it_starts_is_refused(
    api, records, collection, record, start, end, expected
):
    obj = getattr(records, record)
    body = {start: "2026-03-31", end: "2026-03-01"}
    assert errors_of(api.patch(url(collection, obj.pk), body, "json")) == {end: [expected]}
    obj.refresh_from_db()
    assert getattr(obj, start) is None and getattr(obj, end) is None
    # A period of one day is a period.
    body = {start: "2026-03-31", end: "2026-03-31"}
    assert api.patch(url(collection, obj.pk), body, "json").status_code == 200


def test_moving_only_the_start_past_the_end_is_refused(api, records):
    invoice = records.subcontractor_invoice
    body = {"period_start": "2026-03-01", "period_end": "2026-03-31"}
    assert api.patch(url("subcontractor-invoices", invoice.pk), body, "json").status_code == 200
    response = api.patch(
        url("subcontractor-invoices", invoice.pk), {"period_start": "2026-04-15"}, "json"
    )
    assert list(errors_of(response)) == ["period_end"]


# --- Ids ------------------------------------------------------------------------------------------


def test_a_fractional_id_is_refused_not_truncated(api, account, records):
    commitment = records.commitment
    other = CompanyFactory(account=account, name="Other vendor")
    response = api.patch(url("commitments", commitment.pk), {"vendor": other.pk + 0.5}, "json")
    assert errors_of(response) == {"vendor": [f"{other.pk + 0.5} is not a whole number."]}
    commitment.refresh_from_db()
    assert commitment.vendor_id == records.company.pk
    # A whole number written as a float is that number.
    response = api.patch(url("commitments", commitment.pk), {"vendor": float(other.pk)}, "json")
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("value", ["22.5", "true", '"22.5"', "1e400"])
def test_every_kind_of_non_whole_id_is_refused(api, records, value):
    body = f'{{"vendor": {value}}}'
    response = api.patch(
        url("commitments", records.commitment.pk), body, content_type="application/json"
    )
    assert "is not a whole number." in errors_of(response)["vendor"][0]


def test_a_fractional_line_id_is_refused(api, records):
    commitment, line = records.commitment, records.commitment_line
    lines = [{"id": line.pk + 0.5, "amount": "1.00"}]
    response = api.patch(url("commitments", commitment.pk), {"lines": lines}, "json")
    assert errors_of(response)["lines"] == {
        "0": {"id": [f"{line.pk + 0.5} is not a whole number."]}
    }
    assert commitment.lines.get().pk == line.pk


def test_a_fractional_id_in_a_filter_is_refused(api, records):
    response = api.get(url("commitments"), {"project": f"{records.project.pk}.5"})
    assert errors_of(response) == {"project": ["Enter a whole number."]}


def test_a_fractional_export_item_id_is_refused(api, records):
    body = {"item_type": "commitment", "item_id": records.commitment.pk + 0.5}
    response = api.post("/api/v1/export-requests/", body, format="json")
    assert errors_of(response) == {
        "item_id": [f"{records.commitment.pk + 0.5} is not a whole number."]
    }
    assert not ExportRequest.objects.exists()


def test_fractional_ids_in_a_bulk_decision_are_refused(api):
    response = api.post("/api/v1/export-requests/bulk-accept/", {"ids": [1.5]}, format="json")
    assert errors_of(response) == {"ids": {"0": ["1.5 is not a whole number."]}}


# --- The approver's accept fields -----------------------------------------------------------------


@pytest.fixture
def pending_company(db: Any) -> tuple[Any, ExportRequest]:
    account = seed_demo()
    company = CompanyFactory(account=account, name="Granite Peak Drywall", address="12 Elm St")
    erp_admin = get_user_model().objects.get(username="erpadmin")
    return account, export_send(item=company, actor=erp_admin)


def test_an_erp_vendor_id_typed_with_an_escape_is_refused(pending_company):
    account, request = pending_company
    approver = get_user_model().objects.get(username="approver")
    with pytest.raises(ValidationError) as refused:
        export_accept(
            account=account,
            request_ids=[request.pk],
            actor=approver,
            erp_fields={"erp_vendor_id": f"V{ESC}[2J10"},
        )
    assert refused.value.message_dict == {
        "erp_vendor_id": [
            "ERP vendor id contains a control character (U+001B); type it again without it."
        ]
    }
    request.refresh_from_db()
    assert request.state == RequestState.PENDING and request.erp_fields == {}


def test_the_api_refuses_an_accept_field_with_an_escape(pending_company):
    account, request = pending_company
    approver = get_user_model().objects.get(username="approver")
    api = client_for(approver, account)
    accept = f"/api/v1/export-requests/{request.pk}/accept/"
    response = api.post(accept, {"erp_fields": {"erp_vendor_id": f"V{ESC}10"}}, format="json")
    assert list(errors_of(response)) == ["erp_vendor_id"]
    response = api.post(accept, {"erp_fields": {"erp_vendor_id": "V-10"}}, format="json")
    assert response.status_code == 200, response.json()
