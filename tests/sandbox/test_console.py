"""The sandbox ERP's console (what its own users do) and the records ``fetch`` makes of the
ledger's rows, whoever filed them: the shapes of ``connectors.imports``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from connectors.base import ObjectType
from connectors.imports import FetchKind, SourceType
from connectors.sandbox import SandboxConnector, console, job_costs
from connectors.sandbox.harness import SandboxHarness
from connectors.sandbox.models import Invoice, JobCostTransaction, Payment
from connectors.sandbox.records import FIELDS
from connectors.sandbox.seed import ensure_records
from tests.sandbox.test_revisions import file_references

pytestmark = pytest.mark.django_db

LEDGER = "console"
DAY = datetime.date(2026, 10, 15)
COMMON = {"origin_id", "origin_code", "changed_at"}


def fetch_all(kind: str, cursor: str = "", job: str | None = None) -> list[dict]:
    connector = SandboxConnector({"ledger": LEDGER})
    batches = connector.fetch(kind, cursor, job=job)
    return [record for batch in batches for record in batch.records]


def by_id(kind: str, **kwargs) -> dict[str, dict]:
    return {record["origin_id"]: record for record in fetch_all(kind, **kwargs)}


def file_invoice(number: str = "INV-1003", due: str = "12500.00", kind: str = "") -> Invoice:
    data = {
        "type": kind or ObjectType.SUBCONTRACTOR_INVOICE,
        "number": "PA-001",
        "amount_due": due,
        "billing_date": "2026-09-30",
    }
    ensure_records(LEDGER, ObjectType.SUBCONTRACTOR_INVOICE, [(number, "PA-001", data)])
    return Invoice.objects.get(ledger=LEDGER, number=number)


# --- master records --------------------------------------------------------------------------


def test_a_new_vendor_is_numbered_by_the_erp_and_changed_in_place():
    vendor = console.vendor_save(
        LEDGER,
        name="Front Range Rebar Supply",
        tax_id="84-3318207",
        email="ar@frrebar.example",
        street="5590 Joliet St",
        city="Denver",
        state_code="CO",
        zip="80239",
    )
    assert vendor.number == f"V-{1000 + vendor.pk}"
    changed = console.vendor_save(LEDGER, number=vendor.number, name="FR Rebar", city="Aurora")
    assert changed.pk == vendor.pk
    record = by_id("vendors")[vendor.number]
    assert set(record) == COMMON | set(FIELDS[FetchKind.VENDORS])
    assert record["origin_code"] == vendor.number
    assert (record["name"], record["city"], record["street"]) == (
        "FR Rebar",
        "Aurora",
        "5590 Joliet St",  # kept from before
    )
    assert record["is_active"] is True
    datetime.datetime.fromisoformat(record["changed_at"])


def test_a_vendor_needs_a_name_and_a_job_cannot_end_before_it_starts():
    with pytest.raises(ValidationError) as caught:
        console.vendor_save(LEDGER, name="")
    assert "name" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        console.job_save(
            LEDGER,
            name="Arvada Fire Station No. 7",
            start_date=DAY,
            completion_date=DAY - datetime.timedelta(days=1),
        )
    assert "completion_date" in caught.value.message_dict


def test_a_job_under_a_chosen_number():
    job = console.job_save(
        LEDGER,
        number="J-2405",
        name="Arvada Fire Station No. 7",
        address="15950 W 64th Ave",
        city="Arvada",
        state_code="CO",
        start_date=DAY,
        estimated_value=Decimal("9850000"),
    )
    record = by_id("jobs")["J-2405"]
    assert job.number == "J-2405"
    assert set(record) == COMMON | set(FIELDS[FetchKind.JOBS])
    assert record["address"] == "15950 W 64th Ave"
    assert (record["start_date"], record["estimated_value"]) == ("2026-10-15", "9850000.00")
    assert record["completion_date"] is None


def test_cost_codes_their_division_and_deactivating_one():
    with pytest.raises(ValidationError) as caught:
        console.cost_code_save(LEDGER, full_code="09-250", name="Gypsum Board")
    assert "division 09" in caught.value.message_dict["full_code"][0]
    division = console.cost_code_save(LEDGER, full_code="09", name="Finishes")
    code = console.cost_code_save(LEDGER, full_code="09-250", name="Gypsum Board")
    assert (division.number, code.number) == ("CC-09", "CC-09-250")
    renamed = console.cost_code_save(LEDGER, full_code="09-250", name="Gypsum Board Assemblies")
    assert renamed.pk == code.pk

    _, end = fetch_end("standard_cost_codes")
    console.cost_code_deactivate(LEDGER, number="CC-09-250")
    (record,) = fetch_all("standard_cost_codes", end)
    assert record == {
        **{k: record[k] for k in COMMON},
        "origin_id": "CC-09-250",
        "code": "250",
        "full_code": "09-250",
        "name": "Gypsum Board Assemblies",
        "parent": "CC-09",
        "is_active": False,
    }
    assert by_id("standard_cost_codes")["CC-09"]["parent"] is None
    with pytest.raises(ValidationError):
        console.cost_code_deactivate(LEDGER, number="CC-99")


def fetch_end(kind: str, job: str | None = None) -> tuple[list, str]:
    batches = list(SandboxConnector({"ledger": LEDGER}).fetch(kind, "", job=job))
    return batches, batches[-1].cursor if batches else ""


# --- payments ----------------------------------------------------------------------------------


def test_paying_an_invoice_in_two_parts():
    file_invoice(due="12500.00")
    first = console.payment_post(
        LEDGER,
        invoice="INV-1003",
        amount=Decimal("5000"),
        paid_on=DAY,
        method="check",
        check_number="104233",
    )
    rest = console.payment_post(
        LEDGER, invoice="INV-1003", amount="7500.00", paid_on=DAY, method="ach"
    )
    records = by_id("payments")
    assert records[first.number] == {
        **{k: records[first.number][k] for k in COMMON},
        "origin_id": first.number,
        "invoice_type": "subcontractor_invoice",
        "invoice": "INV-1003",
        "amount": "5000.00",
        "paid_on": "2026-10-15",
        "method": "check",
        "check_number": "104233",
        "status": "partial",
    }
    assert records[rest.number]["status"] == "paid"
    assert records[rest.number]["check_number"] is None
    assert console.amount_paid(LEDGER, "INV-1003") == Decimal("12500.00")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "a lot"}, "amount", "such as 1250.00"),
        ({"amount": "12500.01"}, "amount", "12,500.00 left to pay"),
        ({"invoice": "INV-9999"}, "invoice", "no invoice INV-9999"),
        ({"method": "cash"}, "method", "Choose one of"),
        ({"check_number": ""}, "check_number", "number of the check"),
    ],
)
def test_a_payment_the_erp_refuses_changes_nothing(changes, field, words):
    file_invoice(due="12500.00")
    values = {
        "invoice": "INV-1003",
        "amount": "100",
        "paid_on": DAY,
        "method": "check",
        "check_number": "104233",
        **changes,
    }
    with pytest.raises(ValidationError) as caught:
        console.payment_post(LEDGER, **values)
    assert words in caught.value.message_dict[field][0]
    assert not Payment.objects.filter(ledger=LEDGER).exists()


def test_a_voided_payment_comes_again_void():
    file_invoice(due="800.00", kind=ObjectType.OWNER_INVOICE)
    payment = console.payment_post(
        LEDGER, invoice="INV-1003", amount="800", paid_on=DAY, method="wire"
    )
    before, end = fetch_end("payments")
    assert [r["status"] for b in before for r in b.records] == ["paid"]
    assert before[0].records[0]["invoice_type"] == "owner_invoice"

    voided = console.payment_void(LEDGER, number=payment.number)
    assert voided.revision > payment.revision
    (record,) = fetch_all("payments", end)
    assert (record["origin_id"], record["status"], record["amount"]) == (
        payment.number,
        "void",
        "800.00",
    )
    assert record["changed_at"] > before[0].records[0]["changed_at"]
    assert console.amount_paid(LEDGER, "INV-1003") == 0  # so it can be paid again
    with pytest.raises(ValidationError, match="already void"):
        console.payment_void(LEDGER, number=payment.number)


# --- job costs ---------------------------------------------------------------------------------


def test_posting_job_costs():
    rows = job_costs.job_costs_post(
        LEDGER,
        [
            job_costs.JobCost(
                job="J-1001",
                cost_code="CC-03-300",
                cost_type="CT-M",
                vendor="V-1002",
                amount=Decimal("18250.5"),
                reference_date=DAY,
                post_date=DAY + datetime.timedelta(days=2),
                source_type=SourceType.AP_INVOICE,
                source_document="RMC-24811",
                description="Ready-mix concrete, 4000 psi",
            ),
            job_costs.JobCost(
                job="J-1001",
                cost_code="CC-01-310",
                cost_type="CT-L",
                amount=Decimal("15980"),
                reference_date=DAY,
                source_type=SourceType.PAYROLL,
                source_document="PR-2026-42",
            ),
        ],
    )
    assert [row.number for row in rows] == [f"JC-{r.revision:08d}" for r in rows]
    records = by_id("job_cost_transactions", job="J-1001")
    first = records[rows[0].number]
    assert set(first) == COMMON | set(FIELDS[FetchKind.JOB_COST_TRANSACTIONS])
    assert first["amount"] == "18250.50"
    assert (first["reference_date"], first["post_date"]) == ("2026-10-15", "2026-10-17")
    assert (first["source_type"], first["vendor"], first["sub_job"]) == (
        "ap_invoice",
        "V-1002",
        None,
    )
    assert records[rows[1].number]["post_date"] == "2026-10-15"  # posted the day it happened
    assert by_id("job_cost_transactions", job="J-2") == {}


def test_generated_job_costs_are_realistic():
    file_references(LEDGER)
    console.job_save(LEDGER, number="J-1001", name="Lakewood Medical Office Building")
    ensure_records(LEDGER, "sub_jobs", [("J-1001-A", "Core", {"job": "J-1001", "code": "A"})])
    with pytest.raises(ValueError, match="cost codes and cost types"):
        job_costs.generate_job_costs("empty-ledger", "J-1001", 10)

    start = datetime.date(2026, 8, 1)
    assert job_costs.generate_job_costs(LEDGER, "J-1001", 2_000, start=start, seed=3, chunk=700)
    rows = JobCostTransaction.objects.filter(ledger=LEDGER)
    assert rows.count() == 2_000
    records = fetch_all("job_cost_transactions", job="J-1001")
    sources = {r["source_type"] for r in records}
    assert {"ap_invoice", "payroll", "equipment"} <= sources
    assert {r["cost_code"] for r in records} <= {"CC-03-300", "CC-03-200"}  # not the division
    assert {r["cost_type"] for r in records} <= {"CT-L", "CT-M", "CT-E", "CT-S"}
    assert {r["sub_job"] for r in records} == {None, "J-1001-A"}
    payroll = [r for r in records if r["source_type"] == "payroll"]
    assert {r["cost_type"] for r in payroll} == {"CT-L"}
    assert {r["vendor"] for r in payroll} == {None}
    amounts = [Decimal(r["amount"]) for r in records]
    assert min(amounts) > 100 and max(amounts) < 150_000
    assert len(set(amounts)) > 1_900
    days = {datetime.date.fromisoformat(r["reference_date"]) for r in records}
    assert min(days) >= start and max(days) < start + datetime.timedelta(days=90)
    assert len(days) > 80
    for r in records:
        assert r["post_date"] >= r["reference_date"]
        assert r["description"] and r["source_document"]


# --- what the portal exported comes back in the import shapes ---------------------------------


def test_exported_records_come_out_in_the_import_shapes():
    harness = SandboxHarness()
    harness.ledger = LEDGER
    connector = harness.connector()
    exported = {
        obj_type: connector.export(obj_type, harness.sample_payload(obj_type, 1), f"k-{obj_type}")
        for obj_type in (
            ObjectType.COMPANY,
            ObjectType.PROJECT,
            ObjectType.SUB_JOB,
            ObjectType.COST_CODE,
            ObjectType.BUDGET,
        )
    }
    vendor = by_id("vendors")[exported[ObjectType.COMPANY].origin_id]
    assert set(vendor) == COMMON | set(FIELDS[FetchKind.VENDORS])
    assert vendor["name"] == "Contract Concrete 1"
    assert (vendor["street"], vendor["city"], vendor["state_code"], vendor["zip"]) == (
        "1801 Wynkoop St",
        "Denver",
        "CO",
        "80202",
    )
    assert (vendor["country_code"], vendor["email"], vendor["is_active"]) == (
        "US",
        "ap1@example.com",
        True,
    )
    job = by_id("jobs")[exported[ObjectType.PROJECT].origin_id]
    assert job["origin_id"] == "CT-0001"  # the project number, as the ERP took it
    assert (job["name"], job["address"], job["start_date"]) == (
        "Contract Tower 1",
        "1801 Wynkoop St",
        "2026-03-02",
    )
    assert job["estimated_value"] == "2500000.00"
    sub_job = by_id("sub_jobs")[exported[ObjectType.SUB_JOB].origin_id]
    assert (sub_job["job"], sub_job["code"], sub_job["name"]) == ("J-1001", "SJ1", "Phase 1")
    code = by_id("standard_cost_codes")[exported[ObjectType.COST_CODE].origin_id]
    assert (code["code"], code["full_code"], code["name"], code["parent"]) == (
        "001",
        "09-001",
        "Finishes 1",
        None,
    )
    budget = by_id("budgets")[exported[ObjectType.BUDGET].origin_id]
    assert budget["job"] == "J-1"
    assert [(x["cost_code"], x["cost_type"], x["amount"]) for x in budget["lines"]] == [
        ("CC-1001", "CT-1001", "1100.00"),
        ("CC-1002", "CT-1001", "1200.00"),
    ]
    assert len({x["origin_id"] for x in budget["lines"]}) == 2


def test_records_the_harness_files_carry_every_field_of_their_kind():
    harness = SandboxHarness()
    harness.ledger = LEDGER
    for kind in FetchKind:
        added = harness.add_records(kind, 2)
        job = harness.fetch_job(kind)
        records = by_id(kind, job=job)
        for origin_id in added:
            record = records[origin_id]
            assert set(record) == COMMON | set(FIELDS[kind]), kind
            assert all(record[f] for f in ("name", "job", "invoice") if f in record), record
