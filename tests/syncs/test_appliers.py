"""How a batch of ERP records lands: job costs (bad rows counted invalid with the reason, the
rest taken), payments (replayed and out of order: applied once, newest wins), standard cost
codes (new, renamed, deactivated; never deleted), staged records (unchanged, changed, linked)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp.connections import connection_for
from integrations import models as m
from syncs.appliers import cost_codes, job_costs, payments, staged
from syncs.appliers.base import Scope
from syncs.models import StagedRecord, StagedStatus
from syncs.selectors import job_to_date, paid_to_date
from tests.factories import CompanyFactory, ProjectFactory


@pytest.fixture
def books(account):
    """A synced project J-1001 that takes job costs, the ERP list with two codes, a cost type
    and a vendor, as a first sync would have left them."""
    synced = {"erp_state": m.ErpState.SYNCED}
    project = ProjectFactory(account=account, origin_id="J-1001", sync_job_costs=True, **synced)
    code_list = m.StandardCostCodeList.objects.create(account=account, name="ERP", is_erp=True)
    concrete = m.StandardCostCode.objects.create(
        account=account,
        code_list=code_list,
        code="300",
        full_code="03-300",
        name="Cast-in-place concrete",
        origin_id="CC-0330",
        **synced,
    )
    m.StandardCostCode.objects.create(
        account=account,
        code_list=code_list,
        code="100",
        full_code="05-100",
        name="Structural steel",
        origin_id="CC-0510",
        **synced,
    )
    m.CostCode.objects.create(account=account, project=project, standard_code=concrete)
    m.CostType.objects.create(
        account=account, code="M", name="Material", origin_id="CT-M", **synced
    )
    CompanyFactory(account=account, name="Front Range Ready Mix", origin_id="V-1001", **synced)
    return project


def cost(n: int, **changes):
    row = {
        "origin_id": f"JC-{n}",
        "origin_code": f"JC-{n}",
        "job": "J-1001",
        "cost_code": "CC-0330",
        "cost_type": "CT-M",
        "vendor": "V-1001",
        "amount": f"{100 * n}.50",
        "reference_date": "2026-10-01",
        "post_date": "2026-10-03",
        "source_type": "ap_invoice",
        "source_document": f"AP-{n}",
        "description": f"Ready-mix {n}",
    }
    row.update(changes)
    return row


def scope(account, fetch: str, project=None) -> Scope:
    return Scope(account, connection_for(account), fetch, project)


def test_bad_job_cost_rows_are_counted_invalid_and_the_rest_imports(account, books):
    rows = [
        cost(1),
        cost(2, cost_code="CC-9999"),
        cost(3, vendor="V-4040"),
        cost(4, amount="12,50"),
        cost(5, post_date="yesterday"),
        cost(6, cost_code="CC-0510"),  # on the ERP list, not yet on the project: added
    ]
    tally = job_costs.apply(scope(account, "job_cost_transactions", books), rows)
    assert (tally.created, tally.invalid) == (2, 4)
    reasons = {e["origin_id"]: e["message"] for e in tally.errors}
    assert "CC-9999 is not on the ERP standard cost code list" in reasons["JC-2"]
    assert "vendor V-4040 is not in the portal" in reasons["JC-3"]
    assert "'12,50' is not an amount" in reasons["JC-4"]
    assert "'yesterday' is not a date" in reasons["JC-5"]
    stored = m.JobCostTransaction.objects.get(origin_id="JC-1")
    assert stored.amount == Decimal("100.50")
    assert stored.transaction_date.isoformat() == "2026-10-03"  # the post date by default
    assert stored.vendor.origin_id == "V-1001" and stored.cost_type.code == "M"
    assert m.CostCode.objects.filter(project=books, standard_code__origin_id="CC-0510").exists()


def test_a_replayed_batch_changes_nothing_and_a_changed_cost_updates(account, books):
    apply = job_costs.apply
    apply(scope(account, "job_cost_transactions", books), [cost(1), cost(2)])
    again = apply(scope(account, "job_cost_transactions", books), [cost(1), cost(2)])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = apply(scope(account, "job_cost_transactions", books), [cost(2, amount="999.00")])
    assert (changed.created, changed.updated) == (0, 1)
    assert m.JobCostTransaction.objects.filter(project=books).count() == 2
    assert m.JobCostTransaction.objects.get(origin_id="JC-2").amount == Decimal("999.00")


def test_batches_prepared_ahead_add_a_new_code_to_the_project_once(account, books):
    """The engine checks the next batch while the one before is written: both may find the
    same ERP code missing from the project."""
    where = scope(account, "job_cost_transactions", books)
    first = job_costs.prepare(where, [cost(1, cost_code="CC-0510")])
    second = job_costs.prepare(where, [cost(2, cost_code="CC-0510")])
    job_costs.write(where, first)
    job_costs.write(where, second)
    added = m.CostCode.objects.filter(project=books, standard_code__origin_id="CC-0510")
    assert added.count() == 1
    assert set(
        m.JobCostTransaction.objects.filter(project=books).values_list("cost_code", flat=True)
    ) == {added.get().pk}


def test_the_reference_date_when_the_account_says_so(account, books):
    account.job_cost_date = "reference"
    account.save()
    job_costs.apply(scope(account, "job_cost_transactions", books), [cost(1)])
    assert m.JobCostTransaction.objects.get().transaction_date.isoformat() == "2026-10-01"


def test_job_to_date_totals_per_code_and_type_in_one_query(
    account, books, django_assert_num_queries
):
    job_costs.apply(
        scope(account, "job_cost_transactions", books),
        [cost(n) for n in range(1, 6)] + [cost(6, cost_code="CC-0510", cost_type="")],
    )
    with django_assert_num_queries(1):
        totals = job_to_date(books)
    by_code = {(t.cost_code[:6], t.cost_type[:1]): t for t in totals}
    assert by_code[("03-300", "M")].amount == sum(Decimal(f"{100 * n}.50") for n in range(1, 6))
    assert by_code[("03-300", "M")].transactions == 5
    assert by_code[("05-100", "-")].amount == Decimal("600.50")


@pytest.fixture
def invoice(account, books):
    vendor = m.Company.objects.get(origin_id="V-1001")
    commitment = m.Commitment.objects.create(
        account=account, project=books, vendor=vendor, number="SC-001", title="Concrete"
    )
    return m.SubcontractorInvoice.objects.create(
        account=account,
        commitment=commitment,
        number="1",
        origin_id="INV-1001",
        billing_date="2026-10-31",
        period_start="2026-10-01",
        period_end="2026-10-31",
        erp_state=m.ErpState.SYNCED,
    )


def paid(n: int, amount: str, status: str, at: str, **changes):
    row = {
        "origin_id": f"PAY-{n}",
        "origin_code": f"PAY-{n}",
        "invoice_type": "subcontractor_invoice",
        "invoice": "INV-1001",
        "amount": amount,
        "paid_on": "2026-11-15",
        "method": "check",
        "check_number": f"10{n}",
        "status": status,
        "changed_at": at,
    }
    row.update(changes)
    return row


def test_payments_replayed_and_out_of_order_are_applied_once(account, invoice):
    first = paid(1, "4000.00", "partial", "2026-11-15T10:00:00+00:00")
    second = paid(2, "6000.00", "paid", "2026-11-20T10:00:00+00:00")
    voided = paid(1, "4000.00", "void", "2026-11-21T09:00:00+00:00")
    apply = payments.apply
    # The void arrives before the payment it voids; then everything again, twice.
    apply(scope(account, "payments"), [voided, second])
    late = apply(scope(account, "payments"), [first])
    assert (late.created, late.updated, late.unchanged) == (0, 0, 1)
    for _ in range(2):
        apply(scope(account, "payments"), [first, second, voided])
    stored = {p.origin_id: p for p in m.Payment.objects.filter(invoice=invoice)}
    assert len(stored) == 2
    assert stored["PAY-1"].status == "void"
    assert (
        stored["PAY-2"].status == "paid"
        and stored["PAY-2"].project_id == invoice.commitment.project_id
    )
    assert paid_to_date(invoice, invoice.payments.all()).paid == Decimal("6000.00")


def test_a_payment_for_an_unknown_invoice_is_invalid(account, invoice):
    tally = payments.apply(
        scope(account, "payments"),
        [
            paid(3, "10.00", "paid", "2026-11-15T10:00:00Z", invoice="INV-4040"),
            paid(4, "-5.00", "paid", "2026-11-15T10:00:00Z"),
            paid(5, "5.00", "bounced", "2026-11-15T10:00:00Z"),
        ],
    )
    assert tally.invalid == 3 and not m.Payment.objects.exists()
    messages = " ".join(e["message"] for e in tally.errors)
    assert "INV-4040 is not in the portal" in messages
    assert "not a positive amount" in messages and "'bounced'" in messages


def code(origin: str, full: str, name: str, parent=None, active=True):
    return {
        "origin_id": origin,
        "origin_code": full,
        "code": full.split("-")[-1],
        "full_code": full,
        "name": name,
        "parent": parent,
        "is_active": active,
    }


def test_standard_cost_codes_are_added_renamed_and_deactivated_never_deleted(account, books):
    apply = cost_codes.apply
    tally = apply(
        scope(account, "standard_cost_codes"),
        [code("CC-0900", "09-000", "Finishes"), code("CC-0910", "09-100", "Drywall", "CC-0900")],
    )
    assert tally.created == 2
    drywall = m.StandardCostCode.objects.get(origin_id="CC-0910")
    assert drywall.parent.origin_id == "CC-0900" and drywall.code_list.is_erp
    apply(scope(account, "standard_cost_codes"), [code("CC-0330", "03-300", "Concrete, CIP")])
    assert m.StandardCostCode.objects.get(origin_id="CC-0330").name == "Concrete, CIP"
    # Deactivated in the ERP: the one a project uses is kept, marked inactive.
    apply(
        scope(account, "standard_cost_codes"), [code("CC-0330", "03-300", "Concrete", active=False)]
    )
    concrete = m.StandardCostCode.objects.get(origin_id="CC-0330")
    assert not concrete.is_active and concrete.project_codes.exists()
    types = apply(
        scope(account, "cost_types"), [{"origin_id": "CT-L", "code": "L", "name": "Labor"}]
    )
    assert types.created == 1 and m.CostType.objects.filter(code="L", origin_id="CT-L").exists()


def vendor(n: int, **changes):
    row = {"origin_id": f"V-{n}", "origin_code": f"V-{n}", "name": f"Vendor {n}", "city": "Golden"}
    row.update(changes)
    return row


def test_staged_vendors_unchanged_changed_invalid_and_linked(account, books):
    apply = staged.apply
    first = apply(scope(account, "vendors"), [vendor(2001), vendor(2002), vendor(2003, name="")])
    assert (first.created, first.invalid) == (2, 1)
    invalid = StagedRecord.objects.get(origin_id="V-2003")
    assert invalid.status == StagedStatus.INVALID and "name: missing" in invalid.invalid_reason
    again = apply(scope(account, "vendors"), [vendor(2001), vendor(2002, city="Boulder")])
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    assert StagedRecord.objects.get(origin_id="V-2002").data["city"] == "Boulder"
    # A vendor the portal already has (same ERP id) is staged as imported, and its company
    # follows the ERP's new address (the account's "update linked companies" setting).
    linked = apply(
        scope(account, "vendors"), [vendor(1001, name="Front Range Ready Mix", city="Arvada")]
    )
    assert linked.created == 1
    assert StagedRecord.objects.get(origin_id="V-1001").status == StagedStatus.IMPORTED
    apply(
        scope(account, "vendors"), [vendor(1001, name="Front Range Ready Mix Inc", city="Arvada")]
    )
    assert m.Company.objects.get(origin_id="V-1001").name == "Front Range Ready Mix Inc"


def test_a_job_the_portal_filed_under_the_erps_code_is_staged_as_imported(account, books):
    # An ERP that numbers records itself sends its own id, and the code the portal gave it.
    staged.apply(
        scope(account, "jobs"),
        [{"origin_id": "77", "origin_code": "J-1001", "name": "Lakewood"}, job(2)],
    )
    mine = StagedRecord.objects.get(origin_id="77")
    assert mine.status == StagedStatus.IMPORTED and mine.linked_id == books.pk
    assert StagedRecord.objects.get(origin_id="J-2").status == StagedStatus.STAGED


def job(n: int):
    return {"origin_id": f"J-{n}", "origin_code": f"J-{n}", "name": f"Job {n}"}


def test_a_budget_is_staged_with_its_lines(account, books):
    budget = {
        "origin_id": "B-1",
        "origin_code": "B-1",
        "job": "J-2001",
        "name": "Original budget",
        "lines": [
            {"origin_id": "1", "cost_code": "CC-0330", "cost_type": "CT-M", "amount": "1200.00"},
            {"origin_id": "2", "cost_code": "CC-0510", "cost_type": "CT-M", "amount": "800"},
        ],
    }
    staged.apply(scope(account, "budgets"), [budget])
    parent = StagedRecord.objects.get(origin_id="B-1")
    assert parent.job_origin_id == "J-2001" and parent.children.count() == 2
    budget["lines"] = budget["lines"][:1]
    staged.apply(scope(account, "budgets"), [budget])
    assert parent.children.count() == 1
