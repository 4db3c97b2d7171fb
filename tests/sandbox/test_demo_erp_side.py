"""The demo's ERP side: what the sandbox ledger holds that the portal has not seen yet, in the
import shapes, referring to what the ledger holds; seeding again adds nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from connectors.base import ObjectType
from connectors.imports import FetchKind
from connectors.sandbox import SandboxConnector
from connectors.sandbox.models import (
    LEDGER_TABLES,
    CostCode,
    CostType,
    Invoice,
    Job,
    LedgerCounter,
    Vendor,
)
from connectors.sandbox.records import FIELDS
from connectors.sandbox.seed import ensure_records
from demo.data import DEMO_ERP_IDS
from demo.erp import seed_erp_side
from demo.seed import seed_demo
from integrations import models as m

pytestmark = pytest.mark.django_db

LEDGER = "summit"
TODAY = datetime.date(2026, 11, 20)


def fetched(kind: str, job: str | None = None) -> dict[str, dict]:
    batches = SandboxConnector({"ledger": LEDGER}).fetch(kind, "", job=job)
    return {r["origin_id"]: r for batch in batches for r in batch.records}


def ledger_state() -> dict[str, object]:
    counts: dict[str, object] = {
        t.__name__: t.objects.filter(ledger=LEDGER).count() for t in LEDGER_TABLES
    }
    counts["revision"] = LedgerCounter.objects.get(ledger=LEDGER).value
    return counts


@pytest.fixture
def demo():
    return seed_demo()


def test_the_erp_holds_records_the_portal_does_not_have_yet(demo):
    vendors = fetched(FetchKind.VENDORS)
    portal_vendors = set(m.Company.objects.filter(account=demo).values_list("origin_id", flat=True))
    new = {number: r for number, r in vendors.items() if number not in portal_vendors}
    assert 5 <= len(new) <= 8
    for record in new.values():
        assert set(record) >= set(FIELDS[FetchKind.VENDORS])
        assert record["name"] and record["street"] and record["tax_id"] and record["is_active"]

    jobs = fetched(FetchKind.JOBS)
    new_jobs = set(jobs) - set(m.Project.objects.values_list("origin_id", flat=True))
    assert len(new_jobs) == 4  # 2404 too: set up in the ERP, not linked in the portal yet
    sub_jobs = [r for r in fetched(FetchKind.SUB_JOBS).values() if r["job"] in new_jobs]
    assert len(sub_jobs) == 2 and len({r["job"] for r in sub_jobs}) == 1

    (prime,) = fetched(FetchKind.PRIME_CONTRACTS).values()
    assert prime["job"] in new_jobs and prime["owner"] in new
    assert len(prime["lines"]) == 4
    codes = set(CostCode.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    types = set(CostType.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    for line in prime["lines"]:
        assert line["cost_code"] in codes and line["cost_type"] in types
        assert Decimal(line["amount"]) > 0

    budgets = [b for b in fetched(FetchKind.BUDGETS).values() if b["job"] in new_jobs]
    assert len(budgets) == 2
    assert all(b["lines"] and {x["cost_code"] for x in b["lines"]} <= codes for b in budgets)


def test_job_costs_over_the_last_90_days_of_the_synced_projects(demo):
    synced = m.Project.objects.filter(account=demo, erp_state=m.ErpState.SYNCED)
    jobs = set(Job.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    vendors = set(Vendor.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    codes = set(CostCode.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    types = set(CostType.objects.filter(ledger=LEDGER).values_list("number", flat=True))
    records = [
        r
        for project in synced
        for r in fetched("job_cost_transactions", project.origin_id).values()
    ]
    assert 180 <= len(records) <= 220
    assert {r["job"] for r in records} == {p.origin_id for p in synced} <= jobs
    assert {"ap_invoice", "payroll", "equipment"} <= {r["source_type"] for r in records}
    for r in records:
        assert r["cost_code"] in codes and r["cost_type"] in types
        assert r["vendor"] is None or r["vendor"] in vendors
        day = datetime.date.fromisoformat(r["reference_date"])
        assert datetime.date.today() - datetime.timedelta(days=91) < day < datetime.date.today()
        assert Decimal(r["amount"]) > 0


def test_the_synced_records_come_in_the_import_shapes(demo):
    vendor = fetched(FetchKind.VENDORS)["V-1001"]
    assert vendor["origin_code"] == "FRONTEX"
    assert vendor["name"] == "Front Range Excavating, Inc."
    assert (vendor["street"], vendor["city"], vendor["state_code"]) == (
        "4850 Ward Rd",
        "Wheat Ridge",
        "CO",
    )
    code = fetched(FetchKind.STANDARD_COST_CODES)["CC-03-300"]
    assert (code["code"], code["full_code"], code["parent"]) == ("300", "03-300", "CC-03")
    assert fetched(FetchKind.COST_TYPES)["CT-L"]["code"] == "L"
    assert fetched(FetchKind.SUB_JOBS)["J-2402-01"]["job"] == "J-2402"


def test_payments_of_the_invoices_the_erp_received(demo):
    # The demo starts with three invoices exported (DEMO_ERP_IDS), paid at seed time.
    exported = {
        number: kind
        for kind in (ObjectType.SUBCONTRACTOR_INVOICE, ObjectType.OWNER_INVOICE)
        for number, _ in DEMO_ERP_IDS[kind].values()
    }
    assert set(Invoice.objects.filter(ledger=LEDGER).values_list("number", flat=True)) == set(
        exported
    )
    assert {p["invoice"] for p in fetched(FetchKind.PAYMENTS).values()} == set(exported)
    invoices = [
        (f"INV-{1100 + n}", f"PA-{n}", ObjectType.SUBCONTRACTOR_INVOICE, f"{1000 * n}.00")
        for n in range(1, 8)
    ] + [("INV-1200", "2401 #1", ObjectType.OWNER_INVOICE, "812400.00")]
    for number, name, kind, due in invoices:
        data = {"type": kind, "amount_due": due, "billing_date": "2026-09-30"}
        ensure_records(LEDGER, kind, [(number, name, data)])

    added = seed_erp_side(LEDGER, today=TODAY)
    assert added["payments"] == len(invoices)  # one each: only the oldest's was voided
    payments = list(fetched(FetchKind.PAYMENTS).values())
    statuses = [p["status"] for p in payments]
    every = {number: kind for number, _, kind, _ in invoices} | exported
    assert statuses.count("void") == 1
    assert 1 <= statuses.count("partial") < len(every) / 2
    assert {p["invoice"] for p in payments} == set(every)
    for number, kind in every.items():
        due = Invoice.objects.get(ledger=LEDGER, number=number).data["amount_due"]
        paid = [p for p in payments if p["invoice"] == number and p["status"] != "void"]
        assert len(paid) == 1
        assert 0 < Decimal(paid[0]["amount"]) <= Decimal(due)
        assert paid[0]["invoice_type"] == kind
        today = TODAY if number not in exported else datetime.date.today()
        assert paid[0]["paid_on"] <= today.isoformat()
        if kind == ObjectType.OWNER_INVOICE:
            assert (paid[0]["method"], paid[0]["check_number"]) == ("ach", None)

    assert seed_erp_side(LEDGER, today=TODAY)["payments"] == 0


def test_seeding_again_adds_nothing_to_the_erp(demo):
    before = ledger_state()
    assert before["JobCostTransaction"] and before["PrimeContract"] == 1
    seed_demo()
    assert ledger_state() == before
    assert set(seed_erp_side(LEDGER, today=TODAY + datetime.timedelta(days=30)).values()) == {0}
    assert ledger_state() == before
