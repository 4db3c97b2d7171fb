"""What the Tryton connector fetches, against a real trytond: each kind's records and their
shape, the origin ids the exports returned, changes made in Tryton arriving from the last
cursor (and only they), the per-job filter, and a constant number of calls per page.

The contract suite (``tests/connectors/test_contract.py``) checks every declared kind's
batches, cursors and a changed record too; these are the checks particular to Tryton.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import Batch, ObjectType, PermanentError
from connectors.testing import fetch_all, new_key, origin_ids
from connectors.tryton.client import TrytonClient

T = ObjectType
D = Decimal


def today() -> str:
    """Today as the ERP dates what the test just filed (read when asserted: runs cross midnight)."""
    return datetime.date.today().isoformat()


def records(batches: list[Batch]) -> list[dict[str, Any]]:
    return [r for b in batches for r in b.records]


def one(batches: list[Batch]) -> dict[str, Any]:
    (record,) = records(batches)
    return record


def pay(client: TrytonClient, invoice_id: int, amount: Decimal) -> None:
    """The Pay wizard, as a Tryton user runs it (partial payments answer "partial")."""
    ctx = {
        **client.context,
        "active_model": "account.invoice",
        "active_id": invoice_id,
        "active_ids": [invoice_id],
    }
    session, start, _ = client.call("wizard.account.invoice.pay.create", client.context)
    view = client.call("wizard.account.invoice.pay.execute", session, {}, start, ctx)
    defaults = view["view"]["defaults"]
    method = client.search("account.invoice.payment.method", [("name", "=", "Cash")])[0]
    form: dict[str, Any] = {
        "start": {
            "amount": amount,
            "payment_method": method,
            "date": datetime.date.today(),
            "payee": defaults["payee"],
            "currency": defaults["currency"],
            "company": defaults["company"],
            "invoice_account": defaults["invoice_account"],
            "description": "Check 1001",
        }
    }
    answer = client.call("wizard.account.invoice.pay.execute", session, form, "choice", ctx)
    if "view" in answer:  # less than the amount to pay: pay it in part
        ask = {k: v for k, v in answer["view"]["defaults"].items() if not k.endswith(".")}
        form["ask"] = {**ask, "type": "partial"}
        client.call("wizard.account.invoice.pay.execute", session, form, "pay", ctx)
    client.call("wizard.account.invoice.pay.delete", session, client.context)


# --- vendors, jobs, sub jobs, cost codes ---------------------------------------------------------


def test_a_vendor_comes_under_the_code_its_export_returned_and_again_when_renamed(
    tryton, connector, client
):
    _, cursor = fetch_all(connector, "vendors", "")
    result = connector.export(T.COMPANY, tryton.sample_payload(T.COMPANY, 1), new_key(T.COMPANY, 1))
    batches, end = fetch_all(connector, "vendors", cursor)
    record = one(batches)
    assert batches[0].total == 1
    assert record == {
        "origin_id": result.origin_id,  # the party code, as the export answered
        "origin_code": result.origin_id,
        "changed_at": record["changed_at"],
        "name": f"Contract Concrete {tryton.tag}-1",
        "tax_id": None,
        "email": "ap1@example.com",
        "phone": "303-555-0100",
        "street": "1801 Wynkoop St",
        "city": "Denver",
        "state_code": None,  # the test books load no countries
        "zip": "80202",
        "country_code": None,
        "is_active": True,
    }
    first_seen = datetime.datetime.fromisoformat(record["changed_at"])
    party = client.search("party.party", [("code", "=", result.origin_id)])
    client.write("party.party", party, {"name": "Contract Concrete Inc."})
    batches, end = fetch_all(connector, "vendors", end)
    renamed = one(batches)
    assert (renamed["origin_id"], renamed["name"]) == (result.origin_id, "Contract Concrete Inc.")
    assert datetime.datetime.fromisoformat(renamed["changed_at"]) > first_seen
    client.write("party.party", party, {"active": False})  # archived in Tryton
    archived = one(fetch_all(connector, "vendors", end)[0])
    assert (archived["origin_id"], archived["is_active"]) == (result.origin_id, False)


def test_the_companys_own_party_is_no_vendor(tryton, connector, client):
    (company,) = client.read("company.company", [tryton.books().company], ["party.code"])
    every = origin_ids(fetch_all(connector, "vendors", "")[0])
    assert tryton.fx.vendor in every and tryton.fx.owner in every
    assert company["party."]["code"] not in every


def test_jobs_sub_jobs_and_cost_codes_carry_the_ids_their_exports_returned(
    tryton, connector, client
):
    cursors = {
        k: fetch_all(connector, k, "")[1] for k in ("jobs", "sub_jobs", "standard_cost_codes")
    }
    project = connector.export(
        T.PROJECT, tryton.sample_payload(T.PROJECT, 1), new_key(T.PROJECT, 1)
    )
    sub = dataclasses.replace(tryton.sample_payload(T.SUB_JOB, 1), project_ref=project.origin_id)
    sub_job = connector.export(T.SUB_JOB, sub, new_key(T.SUB_JOB, 1))
    division = connector.export(
        T.COST_CODE, tryton.sample_payload(T.COST_CODE, 1), new_key(T.COST_CODE, 1)
    )
    child = dataclasses.replace(
        tryton.sample_payload(T.COST_CODE, 2), parent_ref=division.origin_id
    )
    code = connector.export(T.COST_CODE, child, new_key(T.COST_CODE, 2))

    job_batches, end = fetch_all(connector, "jobs", cursors["jobs"])
    job = one(job_batches)
    assert {k: v for k, v in job.items() if k != "changed_at"} == {
        "origin_id": project.origin_id,
        "origin_code": f"CT-{tryton.tag}-1",
        "name": "Contract Tower 1",
        "is_active": True,
    }
    fetched_sub_job = one(fetch_all(connector, "sub_jobs", cursors["sub_jobs"])[0])
    assert fetched_sub_job == {
        "origin_id": sub_job.origin_id,
        "origin_code": f"SJ-{tryton.tag}-1",
        "changed_at": fetched_sub_job["changed_at"],
        "job": project.origin_id,
        "code": f"SJ-{tryton.tag}-1",
        "name": "Phase 1",
    }
    codes = {
        r["origin_id"]: r
        for r in records(
            fetch_all(connector, "standard_cost_codes", cursors["standard_cost_codes"])[0]
        )
    }
    assert set(codes) == {division.origin_id, code.origin_id}
    assert codes[division.origin_id]["parent"] is None  # a division: right under the root
    assert codes[code.origin_id]["parent"] == division.origin_id
    assert (
        codes[code.origin_id]["code"] == codes[code.origin_id]["full_code"] == f"09-{tryton.tag}-2"
    )
    assert codes[code.origin_id]["is_active"] is True
    # The job closed in Tryton comes again, no longer active.
    client.write("analytic_account.account", [int(project.origin_id)], {"state": "closed"})
    closed = one(fetch_all(connector, "jobs", end)[0])
    assert (closed["origin_id"], closed["is_active"]) == (project.origin_id, False)


def test_a_cursor_from_elsewhere_is_refused(connector):
    for kind, cursor in (("vendors", "42"), ("payments", "2026-01-01T00:00:00,1"), ("jobs", "x,y")):
        with pytest.raises(PermanentError, match="cursor"):
            connector.fetch(kind, cursor)


# --- job cost transactions -----------------------------------------------------------------------


def test_costs_are_fetched_for_one_job_and_its_sub_jobs(tryton, connector, client):
    fx = tryton.fx
    other = connector.export(T.PROJECT, tryton.sample_payload(T.PROJECT, 2), new_key(T.PROJECT, 2))
    _, mine = fetch_all(connector, "job_cost_transactions", "", str(fx.job))
    _, theirs = fetch_all(connector, "job_cost_transactions", "", other.origin_id)
    invoices = {}
    for n, job in ((12, fx.job), (13, fx.sub_job), (14, int(other.origin_id))):
        payload = dataclasses.replace(
            tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, n), project_ref=str(job)
        )
        invoices[n] = connector.export(
            T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, n)
        )
    batches, end = fetch_all(connector, "job_cost_transactions", mine, str(fx.job))
    got = records(batches)
    assert sorted(
        (r["source_document"], r["job"], r["sub_job"], r["cost_code"], r["amount"]) for r in got
    ) == sorted(
        [
            (invoices[12].origin_code, str(fx.job), None, str(fx.cost_codes[0]), "6001.00"),
            (invoices[12].origin_code, str(fx.job), None, str(fx.cost_codes[1]), "6027.00"),
            (
                invoices[13].origin_code,
                str(fx.job),
                str(fx.sub_job),
                str(fx.cost_codes[0]),
                "6501.00",
            ),
            (
                invoices[13].origin_code,
                str(fx.job),
                str(fx.sub_job),
                str(fx.cost_codes[1]),
                "6527.00",
            ),
        ]
    )
    for r in got:
        assert r["vendor"] == fx.vendor
        assert r["source_type"] == "subcontractor_invoice"
        assert r["cost_type"] is None
        assert r["reference_date"] == r["post_date"] == today()
        assert r["description"].startswith(("1. Pay item 1", "2. Pay item 2"))
        assert r["origin_code"] and r["changed_at"]
    # The other job's costs are its own.
    theirs_got = records(fetch_all(connector, "job_cost_transactions", theirs, other.origin_id)[0])
    assert {r["job"] for r in theirs_got} == {other.origin_id}
    assert {r["source_document"] for r in theirs_got} == {invoices[14].origin_code}
    # Retainage and the payable are not costs; owner invoices (revenue) are not either.
    connector.export(
        T.OWNER_INVOICE, tryton.sample_payload(T.OWNER_INVOICE, 12), new_key(T.OWNER_INVOICE, 12)
    )
    assert records(fetch_all(connector, "job_cost_transactions", end, str(fx.job))[0]) == []
    # A job named by its code (as records Tryton had before the portal are): the same records.
    by_code = records(fetch_all(connector, "job_cost_transactions", mine, "HARNESS-JOB")[0])
    assert sorted(r["origin_id"] for r in by_code) == sorted(r["origin_id"] for r in got)
    assert {r["job"] for r in by_code} == {"HARNESS-JOB"}
    with pytest.raises(PermanentError, match="no job 'NO-SUCH-JOB'"):
        connector.fetch("job_cost_transactions", "", job="NO-SUCH-JOB")


def test_an_entry_typed_as_a_draft_arrives_when_it_is_posted(tryton, connector, client):
    """A journal entry typed with its analytic lines and posted later: its lines are older than
    the cursor when the entry is posted; the move's clock sends them."""
    fx, books = tryton.fx, tryton.books()
    cash = client.search("account.account", [("code", "=", "1.1.1")], limit=1)[0]
    amount = D("250.00")
    (move,) = client.create(
        "account.move",
        [
            {
                "journal": books.general_journal,
                "period": tryton.user._period(),
                "date": datetime.date.today(),
                "description": "Crane rental, week 12",
                "lines": [
                    [
                        "create",
                        [
                            {
                                "account": books.cost_account,
                                "debit": amount,
                                "credit": D(0),
                                "description": "Crane rental",
                                "analytic_lines": [
                                    [
                                        "create",
                                        [
                                            {"account": fx.job, "debit": amount, "credit": D(0)},
                                            {
                                                "account": fx.cost_codes[1],
                                                "debit": amount,
                                                "credit": D(0),
                                            },
                                        ],
                                    ]
                                ],
                            },
                            {"account": cash, "debit": D(0), "credit": amount},
                        ],
                    ]
                ],
            }
        ],
    )
    tryton.add_records("job_cost_transactions", 1)  # posted after the draft was typed
    _, end = fetch_all(connector, "job_cost_transactions", "", str(fx.job))
    client.button("account.move", "post", [move])
    record = one(fetch_all(connector, "job_cost_transactions", end, str(fx.job))[0])
    (number,) = client.read("account.move", [move], ["number"])
    assert record["origin_code"] == record["source_document"] == number["number"]
    assert record["source_type"] == "general_ledger"
    assert (record["amount"], record["cost_code"], record["vendor"]) == (
        "250.00",
        str(fx.cost_codes[1]),
        None,
    )
    assert record["description"] == "Crane rental"


def test_job_costs_are_read_in_a_few_searches_per_page_not_record_by_record(tryton, connector):
    job = tryton.fetch_job("job_cost_transactions")
    _, cursor = fetch_all(connector, "job_cost_transactions", "", job)
    tryton.add_records("job_cost_transactions", 35)
    connector.client.context  # noqa: B018 (logged in)
    before = connector.client.calls
    batches, _ = fetch_all(connector, "job_cost_transactions", cursor, job)
    assert sum(len(b.records) for b in batches) == 35
    assert len(batches) == 4  # batches of 10
    # Per page: the lines, their cost code lines, invoices and invoice lines, and the move
    # clock's page passing the same lines by; the job named.
    assert connector.client.calls - before <= 5 * len(batches) + 1


# --- payments ------------------------------------------------------------------------------------


def test_a_payment_is_sent_partial_then_with_the_others_paid_when_the_invoice_is(
    tryton, connector, client
):
    _, cursor = fetch_all(connector, "payments", "")
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 11)
    filed = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 11))
    pay(client, int(filed.origin_id), D("1000.00"))
    batches, cursor = fetch_all(connector, "payments", cursor)
    first = one(batches)
    assert first == {
        "origin_id": first["origin_id"],
        "origin_code": first["origin_code"],  # the payment entry's number
        "changed_at": first["changed_at"],
        "invoice_type": "subcontractor_invoice",
        "invoice": filed.origin_id,  # the id the export returned
        "amount": "1000.00",
        "paid_on": today(),
        "method": None,
        "check_number": None,
        "status": "partial",
    }
    assert first["origin_code"] and first["changed_at"]
    rest = payload.amount_due - 1000
    pay(client, int(filed.origin_id), rest)
    batches, cursor = fetch_all(connector, "payments", cursor)
    # Paying the rest reconciles the invoice: both its payments are now part of "paid".
    got = {r["origin_id"]: r for r in records(batches)}
    assert first["origin_id"] in got and len(got) == 2
    assert {r["status"] for r in got.values()} == {"paid"}
    assert sorted(r["amount"] for r in got.values()) == sorted(["1000.00", str(rest)])
    assert got[first["origin_id"]]["changed_at"] > first["changed_at"]
    assert client.read("account.invoice", [int(filed.origin_id)], ["state"])[0]["state"] == "paid"
    assert origin_ids(fetch_all(connector, "payments", cursor)[0]) == []


def test_a_cancelled_payment_comes_again_void(tryton, connector, client):
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 15)
    filed = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 15))
    _, cursor = fetch_all(connector, "payments", "")
    pay(client, int(filed.origin_id), D("300.00"))
    pay(client, int(filed.origin_id), D("200.00"))
    batches, end = fetch_all(connector, "payments", cursor)
    sent = records(batches)
    assert [r["status"] for r in sent] == ["partial", "partial"]
    voided = next(r for r in sent if r["amount"] == "300.00")
    tryton.user.cancel_payment(int(voided["origin_id"]))
    again = one(fetch_all(connector, "payments", end)[0])
    assert (again["origin_id"], again["status"], again["amount"]) == (
        voided["origin_id"],
        "void",
        "300.00",
    )
    (row,) = client.read("account.invoice", [int(filed.origin_id)], ["amount_to_pay"])
    assert row["amount_to_pay"] == payload.amount_due - 200  # Tryton no longer counts it


def test_a_payment_line_added_to_an_invoice_later_arrives_by_the_invoices_clock(
    tryton, connector, client
):
    """Accounts payable posts a check as a cash entry, and attaches it to the invoice later
    (the invoice's *Payment Lines*): the line is older than the cursor by then."""
    user = tryton.user
    invoice, row = user.supplier_invoice([D("400.00")], "Attached later")
    cash = client.search("account.account", [("code", "=", "1.1.1")], limit=1)[0]
    journal = client.search("account.journal", [("type", "=", "cash")], limit=1)[0]
    (move,) = client.create(
        "account.move",
        [
            {
                "journal": journal,
                "period": user._period(),
                "date": datetime.date.today(),
                "lines": [
                    [
                        "create",
                        [
                            {
                                "account": row["account"],
                                "party": row["party"],
                                "debit": D("150.00"),
                                "credit": D(0),
                            },
                            {"account": cash, "debit": D(0), "credit": D("150.00")},
                        ],
                    ]
                ],
            }
        ],
    )
    client.button("account.move", "post", [move])
    tryton.add_records("payments", 1)  # another payment after the check: the cursor passes it
    _, end = fetch_all(connector, "payments", "")
    (line,) = client.search(
        "account.move.line", [("move", "=", move), ("account", "=", row["account"])]
    )
    client.write("account.invoice", [invoice], {"payment_lines": [["add", [line]]]})
    record = one(fetch_all(connector, "payments", end)[0])
    assert (record["origin_id"], record["invoice"], record["amount"], record["status"]) == (
        str(line),
        str(invoice),
        "150.00",
        "partial",
    )


def test_an_owners_payment_is_positive_and_typed_owner_invoice(tryton, connector, client):
    payload = tryton.sample_payload(T.OWNER_INVOICE, 16)
    filed = connector.export(T.OWNER_INVOICE, payload, new_key(T.OWNER_INVOICE, 16))
    _, cursor = fetch_all(connector, "payments", "")
    pay(client, int(filed.origin_id), D("500.00"))
    record = one(fetch_all(connector, "payments", cursor)[0])
    assert (record["invoice_type"], record["invoice"], record["amount"], record["status"]) == (
        "owner_invoice",
        filed.origin_id,
        "500.00",
        "partial",
    )
