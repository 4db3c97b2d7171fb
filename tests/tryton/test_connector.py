"""The Tryton connector against a real trytond: the accounting it books, idempotency on
Tryton's own keys, batching. What the connector fetches is in ``test_fetch.py``.

The connector contract suite runs over Tryton too (``tests/connectors/test_contract.py``
discovers :class:`connectors.tryton.harness.TrytonHarness`); these are the checks specific to
Tryton.
"""

from __future__ import annotations

import dataclasses
import time
from decimal import Decimal
from typing import Any

import pytest

from connectors.base import (
    AuthenticationError,
    ExportResult,
    ObjectType,
    PermanentError,
)
from connectors.payloads import BudgetPayload
from connectors.registry import connector_class
from connectors.testing import fetch_all, new_key, origin_ids
from connectors.tryton import mapping as m
from connectors.tryton.capabilities import CAPABILITIES, INVOICE_BATCH
from connectors.tryton.client import TrytonClient
from connectors.tryton.connector import TrytonConnector

T = ObjectType
D = Decimal


def invoice(client: TrytonClient, origin_id: str, *fields: str) -> dict[str, Any]:
    (row,) = client.read("account.invoice", [int(origin_id)], list(fields))
    return row


def lines_of(client: TrytonClient, invoice_id: int) -> list[dict[str, Any]]:
    return client.search_read(
        "account.invoice.line",
        [("invoice", "=", invoice_id)],
        ["account.code", "amount", "description", "analytic_accounts"],
        order=[("id", "ASC")],
    )


def analytic_by_move(client: TrytonClient, move: int) -> list[dict[str, Any]]:
    return client.search_read(
        "analytic_account.line",
        [("move_line.move", "=", move)],
        ["account", "account.root", "debit", "credit", "move_line"],
        order=[("id", "ASC")],
    )


def account_balance(client: TrytonClient, code: str, party: int) -> Decimal:
    rows = client.search_read(
        "account.move.line",
        [("account.code", "=", code), ("party", "=", party), ("move.state", "=", "posted")],
        ["debit", "credit"],
    )
    return sum((r["debit"] - r["credit"] for r in rows), D(0))


def party_id(client: TrytonClient, code: str) -> int:
    return int(client.search("party.party", [("code", "=", code)])[0])


# --- the connector as a whole --------------------------------------------------------------------


def test_registered_with_what_tryton_cannot_do_left_out():
    assert connector_class("tryton") is TrytonConnector
    entities = CAPABILITIES.entities
    for unsupported in (T.BUDGET, T.COMMITMENT_CHANGE_ORDER, T.PRIME_CHANGE_ORDER):
        assert not CAPABILITIES.entity(unsupported).exports, unsupported
        assert unsupported not in entities
    assert entities[T.SUBCONTRACTOR_INVOICE].batch_size == INVOICE_BATCH == 100
    assert CAPABILITIES.fetches == {
        "vendors",
        "jobs",
        "sub_jobs",
        "standard_cost_codes",
        "job_cost_transactions",
        "payments",
    }
    for absent in ("cost_types", "prime_contracts", "budgets"):  # Tryton holds none
        assert absent not in CAPABILITIES.fetches


def test_an_unsupported_type_is_refused(connector):
    payload = BudgetPayload(project_number="X", project_ref="1", lines=())
    with pytest.raises(PermanentError, match="Tryton does not take budget"):
        connector.export(T.BUDGET, payload, new_key(T.BUDGET, 1))


def test_connection_checks_the_books(tryton):
    tryton.connector().test_connection()
    TrytonConnector.forget_books()
    with pytest.raises(PermanentError) as caught:
        tryton.connector(cost_account="9.9.9", jobs_root="NOPE").test_connection()
    assert "an account 9.9.9 (cost_account)" in caught.value.message
    assert "an analytic root NOPE" in caught.value.message


def test_missing_credentials_are_an_authentication_error(tryton):
    with pytest.raises(AuthenticationError, match="user and password"):
        tryton.connector(password="").test_connection()


# --- parties -------------------------------------------------------------------------------------


def test_a_company_becomes_a_party_coded_with_the_portal_reference(tryton, connector, client):
    payload = tryton.sample_payload(T.COMPANY, 1)
    key = f"{tryton.tag}:company:41:977"
    result = connector.export(T.COMPANY, payload, key)
    assert result.origin_id == f"{tryton.tag}:company:41"  # the key without its request
    (row,) = client.search_read(
        "party.party",
        [("code", "=", result.origin_id)],
        ["name", "addresses", "contact_mechanisms"],
    )
    (address,) = client.read("party.address", row["addresses"], ["street", "city", "postal_code"])
    assert (address["street"], address["city"], address["postal_code"]) == (
        "1801 Wynkoop St",
        "Denver",
        "80202",
    )
    mechanisms = client.read("party.contact_mechanism", row["contact_mechanisms"], ["value"])
    assert {x["value"] for x in mechanisms} == {"303-555-0100", "ap1@example.com"}
    # A later request for the same portal company finds the same party.
    again = connector.export(T.COMPANY, payload, f"{tryton.tag}:company:41:978")
    assert again.origin_id == result.origin_id


def test_a_typed_party_code_links_the_existing_party(tryton, connector, client):
    before = client.search_count("party.party", [])
    payload = dataclasses.replace(
        tryton.sample_payload(T.COMPANY, 2), erp_vendor_id="HARNESS-VENDOR"
    )
    result = connector.export(T.COMPANY, payload, new_key(T.COMPANY, 2))
    assert result.origin_id == "HARNESS-VENDOR"
    assert client.search_count("party.party", []) == before


# --- jobs and cost codes -------------------------------------------------------------------------


def test_projects_sub_jobs_and_cost_codes_are_analytic_accounts(tryton, connector, client):
    project = connector.export(
        T.PROJECT, tryton.sample_payload(T.PROJECT, 1), new_key(T.PROJECT, 1)
    )
    sub = dataclasses.replace(tryton.sample_payload(T.SUB_JOB, 1), project_ref=project.origin_id)
    sub_job = connector.export(T.SUB_JOB, sub, new_key(T.SUB_JOB, 1))
    code = connector.export(
        T.COST_CODE, tryton.sample_payload(T.COST_CODE, 1), new_key(T.COST_CODE, 1)
    )
    child = dataclasses.replace(tryton.sample_payload(T.COST_CODE, 2), parent_ref=code.origin_id)
    child_code = connector.export(T.COST_CODE, child, new_key(T.COST_CODE, 2))
    rows = {
        r["id"]: r
        for r in client.read(
            "analytic_account.account",
            [int(x.origin_id) for x in (project, sub_job, code, child_code)],
            ["code", "root", "parent", "type", "state", "note"],
        )
    }
    fx = tryton.fx
    p, s, c, cc = (rows[int(x.origin_id)] for x in (project, sub_job, code, child_code))
    assert (p["root"], p["parent"], p["code"]) == (fx.jobs_root, fx.jobs_root, f"CT-{tryton.tag}-1")
    assert (s["root"], s["parent"]) == (fx.jobs_root, p["id"])
    assert (c["root"], c["parent"]) == (fx.cost_codes_root, fx.cost_codes_root)
    assert (cc["root"], cc["parent"]) == (fx.cost_codes_root, c["id"])
    assert {r["type"] for r in rows.values()} == {"normal"}
    assert {r["state"] for r in rows.values()} == {"opened"}
    assert "Estimated value: 2500000.00" in p["note"]
    assert project.origin_code == f"CT-{tryton.tag}-1"


def test_an_existing_job_is_linked_by_its_code(tryton, connector):
    payload = dataclasses.replace(tryton.sample_payload(T.PROJECT, 3), erp_job_number="HARNESS-JOB")
    result = connector.export(T.PROJECT, payload, new_key(T.PROJECT, 3))
    assert result.origin_id == str(tryton.fx.job)


# --- commitments ---------------------------------------------------------------------------------


def test_a_commitment_is_a_confirmed_purchase_with_job_and_cost_codes(tryton, connector, client):
    payload = tryton.sample_payload(T.COMMITMENT, 1)
    key = new_key(T.COMMITMENT, 1)
    result = connector.export(T.COMMITMENT, payload, key)
    (po,) = client.read(
        "purchase.purchase",
        [int(result.origin_id)],
        ["number", "reference", "state", "total_amount", "invoice_method", "comment", "lines"],
    )
    assert result.origin_code == po["number"]
    assert po["reference"] == payload.number
    assert po["state"] == "processing"  # quoted, confirmed, and nothing to receive
    assert po["invoice_method"] == "manual"
    assert po["total_amount"] == payload.grand_total == D("2300.00")
    assert m.marker(key) in po["comment"] and "Retainage: 10%" in po["comment"]
    entries = client.search_read(
        "analytic.account.entry",
        [("origin", "in", [f"purchase.line,{x}" for x in po["lines"]])],
        ["account"],
    )
    fx = tryton.fx
    assert sorted(e["account"] for e in entries) == sorted([fx.job, fx.job, *fx.cost_codes])


def test_an_unknown_cost_code_fails_the_commitment_alone(tryton, connector):
    good = tryton.sample_payload(T.COMMITMENT, 1)
    bad_line = dataclasses.replace(good.lines[1], cost_code_ref="999999")
    bad = dataclasses.replace(
        tryton.sample_payload(T.COMMITMENT, 2), lines=(good.lines[0], bad_line)
    )
    one, two = connector.export_batch(
        T.COMMITMENT, [(good, new_key(T.COMMITMENT, 1)), (bad, new_key(T.COMMITMENT, 2))]
    )
    assert isinstance(one, ExportResult)
    assert isinstance(two, PermanentError)
    assert "Line 2: Tryton has no cost code '999999' under Cost Codes." in two.message


# --- invoices and their accounting ---------------------------------------------------------------


def test_a_subcontractor_invoice_is_a_posted_supplier_invoice_with_retainage(
    tryton, connector, client
):
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 4)
    # Earned: 2001 + (2002 + 25 stored) = 4028; held 100; released 10: due 3938.
    assert (payload.total_completed, payload.retainage_held, payload.amount_due) == (
        D("4028"),
        D("100.00"),
        D("3938.00"),
    )
    vendor = party_id(client, tryton.fx.vendor)
    held_before = account_balance(client, "2.2.9", vendor)
    result = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 4))
    row = invoice(
        client,
        result.origin_id,
        "state",
        "type",
        "number",
        "reference",
        "total_amount",
        "amount_to_pay",
        "invoice_date",
        "move",
    )
    assert row["state"] == "posted" and row["type"] == "in"
    assert result.origin_code == row["number"]
    assert row["reference"] == f"SC-{tryton.tag}/4"
    assert row["invoice_date"] == payload.billing_date
    assert row["total_amount"] == row["amount_to_pay"] == D("3938.00")
    lines = [(x["account."]["code"], x["amount"]) for x in lines_of(client, int(result.origin_id))]
    assert lines == [
        ("5.1.3", D("2001.00")),
        ("5.1.3", D("2027.00")),
        ("2.2.9", D("-100.00")),
        ("2.2.9", D("10.00")),
    ]
    # The retainage is a liability to this vendor: held 100, released 10.
    assert account_balance(client, "2.2.9", vendor) - held_before == D("-90.00")
    # Job cost: the gross earned per line, on the job and on the line's cost code.
    analytic = analytic_by_move(client, row["move"])
    on_job = sorted(a["debit"] for a in analytic if a["account"] == tryton.fx.job)
    assert on_job == [D("2001.00"), D("2027.00")]
    by_code = {a["account"]: a["debit"] for a in analytic if a["account"] != tryton.fx.job}
    assert by_code == dict(zip(tryton.fx.cost_codes, (D("2001.00"), D("2027.00")), strict=True))


def test_an_owner_invoice_books_revenue_gross_and_moves_the_retainage(tryton, connector, client):
    payload = tryton.sample_payload(T.OWNER_INVOICE, 4)
    owner = party_id(client, tryton.fx.owner)
    before = account_balance(client, "1.2.9", owner)
    result = connector.export(T.OWNER_INVOICE, payload, new_key(T.OWNER_INVOICE, 4))
    row = invoice(
        client,
        result.origin_id,
        "state",
        "type",
        "total_amount",
        "amount_to_pay",
        "additional_moves",
    )
    assert row["state"] == "posted" and row["type"] == "out"
    assert row["total_amount"] == D("4028.00")  # revenue: the gross earned
    assert row["amount_to_pay"] == payload.amount_due == D("3938.00")  # what the owner owes now
    assert len(row["additional_moves"]) == 1
    assert account_balance(client, "1.2.9", owner) - before == D("90.00")
    lines = {x["account."]["code"] for x in lines_of(client, int(result.origin_id))}
    assert lines == {"4.2.2"}
    # Another portal record with the same contract and number is not filed over it.
    with pytest.raises(PermanentError, match="from another portal record"):
        connector.export(T.OWNER_INVOICE, payload, new_key(T.OWNER_INVOICE, 4))


def test_a_retried_owner_invoice_files_nothing_twice(tryton, connector, client):
    payload = tryton.sample_payload(T.OWNER_INVOICE, 5)
    key = new_key(T.OWNER_INVOICE, 5)
    owner = party_id(client, tryton.fx.owner)
    before = account_balance(client, "1.2.9", owner)
    first = connector.export(T.OWNER_INVOICE, payload, key)
    second = tryton.connector().export(T.OWNER_INVOICE, payload, key)
    assert first.origin_id == second.origin_id
    assert account_balance(client, "1.2.9", owner) - before == D("90.00")


def test_a_hand_entered_invoice_is_linked_not_duplicated(tryton, connector, client):
    """Accounts payable typed the subcontractor's invoice in already (same vendor, same
    reference): the portal's export finds it."""
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 6)
    books, fx = tryton.books(), tryton.fx
    vendor = party_id(client, fx.vendor)
    values = m.invoice_values(
        payload,
        "typed-by-hand",
        books,
        m.Party(vendor, fx.vendor, None, None, None),
        fx.job,
        kind="in",
    )
    values["comment"] = "Keyed in from the paper invoice"
    values["invoice_address"] = client.read("party.party", [vendor], ["addresses"])[0]["addresses"][
        0
    ]
    (typed,) = client.create("account.invoice", [values])
    client.button("account.invoice", "post", [typed])
    before = tryton.count(T.SUBCONTRACTOR_INVOICE)
    result = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 6))
    assert result.origin_id == str(typed)
    assert tryton.count(T.SUBCONTRACTOR_INVOICE) == before


def test_the_similar_invoice_warning_is_taken_as_the_invoice_being_there(
    tryton, connector, client, monkeypatch
):
    """The invoice appears between the connector's search and its post (another user, another
    worker): Tryton's "similar invoice" warning stops the post; the draft is dropped and the
    existing invoice is the answer."""
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 7)
    earlier = connector.export(
        T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 7)
    )
    client.write("account.invoice", [int(earlier.origin_id)], {"comment": "Keyed in by hand"})
    blind = tryton.connector()
    real = blind.client.search_read

    def search_read(model: str, domain: list[Any], fields: list[str], **kw: Any) -> Any:
        rows = real(model, domain, fields, **kw)
        if model == "account.invoice" and "comment" in fields and "additional_moves" in fields:
            return []  # the lookup misses it
        return rows

    monkeypatch.setattr(blind.client, "search_read", search_read)
    before = tryton.count(T.SUBCONTRACTOR_INVOICE)
    result = blind.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 7))
    assert result.origin_id == earlier.origin_id
    assert tryton.count(T.SUBCONTRACTOR_INVOICE) == before  # the draft was deleted


def test_a_similar_but_cancelled_invoice_does_not_stop_the_export(tryton, connector, client):
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 8)
    first = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 8))
    client.button("account.invoice", "cancel", [int(first.origin_id)])
    assert connector.delete_check(T.SUBCONTRACTOR_INVOICE, first.origin_id) is True
    # Unlinked in the portal and sent again: a new invoice (Tryton's warning acknowledged).
    again = connector.export(T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 8))
    assert again.origin_id != first.origin_id
    assert invoice(client, again.origin_id, "state")["state"] == "posted"


def test_a_draft_left_by_an_interrupted_export_is_posted_not_duplicated(tryton, connector, client):
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 9)
    key = new_key(T.SUBCONTRACTOR_INVOICE, 9)
    fx, books = tryton.fx, tryton.books()
    vendor = party_id(client, fx.vendor)
    address = client.read("party.party", [vendor], ["addresses"])[0]["addresses"][0]
    party = m.Party(vendor, fx.vendor, address, None, None)
    (draft,) = client.create(
        "account.invoice", [m.invoice_values(payload, key, books, party, fx.job, kind="in")]
    )
    assert connector.find_by_external_ref(T.SUBCONTRACTOR_INVOICE, key) is None  # not filed yet
    before = tryton.count(T.SUBCONTRACTOR_INVOICE)
    result = connector.export(T.SUBCONTRACTOR_INVOICE, payload, key)
    assert result.origin_id == str(draft)
    assert invoice(client, result.origin_id, "state")["state"] == "posted"
    assert tryton.count(T.SUBCONTRACTOR_INVOICE) == before


def test_invoices_are_created_and_posted_in_one_call_each_per_batch(tryton, connector, client):
    n = 20
    items = [
        (
            tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 100 + i),
            new_key(T.SUBCONTRACTOR_INVOICE, i),
        )
        for i in range(n)
    ]
    connector.test_connection()  # books read and logged in: count the batch's own calls
    posts: list[list[int]] = []
    real = connector.client.button

    def button(model: str, name: str, ids: list[int]) -> Any:
        posts.append(ids)
        return real(model, name, ids)

    connector.client.button = button
    calls_before = connector.client.calls
    started = time.perf_counter()
    results = connector.export_batch(T.SUBCONTRACTOR_INVOICE, items)
    elapsed = time.perf_counter() - started
    assert all(isinstance(r, ExportResult) for r in results), results
    assert len(posts) == 1 and len(posts[0]) == n
    assert connector.client.calls - calls_before <= 8  # resolve x2, lookup, create, post, read
    states = client.read("account.invoice", [int(r.origin_id) for r in results], ["state"])
    assert {s["state"] for s in states} == {"posted"}
    print(f"\n{n} invoices in one batch: {elapsed:.2f} s, {elapsed / n * 1000:.0f} ms each")


# --- API keys (Tryton's REST API) ----------------------------------------------------------------


def test_an_api_key_works_through_the_rest_api(tryton, client):
    key = f"portal-{tryton.tag}-{time.time_ns()}"
    client.create(
        "res.user.application",
        [{"key": key, "user": client.user_id or 1, "application": "rest"}],
    )
    settings = {k: v for k, v in tryton.settings().items() if k not in ("user", "password")}
    connector = TrytonConnector({**settings, "api_key": key})
    connector.test_connection()
    vendor = connector.export(
        T.COMPANY, tryton.sample_payload(T.COMPANY, 21), new_key(T.COMPANY, 21)
    )
    commitment = connector.export(
        T.COMMITMENT, tryton.sample_payload(T.COMMITMENT, 21), new_key(T.COMMITMENT, 21)
    )
    items = [
        (
            tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 21 + i),
            new_key(T.SUBCONTRACTOR_INVOICE, i),
        )
        for i in range(2)
    ]
    invoices = connector.export_batch(T.SUBCONTRACTOR_INVOICE, items)
    assert all(isinstance(r, ExportResult) for r in invoices), invoices
    owner_payload = tryton.sample_payload(T.OWNER_INVOICE, 21)
    owner = connector.export(T.OWNER_INVOICE, owner_payload, new_key(T.OWNER_INVOICE, 21))
    assert client.search("party.party", [("code", "=", vendor.origin_id)])
    assert client.read("purchase.purchase", [int(commitment.origin_id)], ["state"])[0]["state"] == (
        "processing"
    )
    for result in invoices:
        assert invoice(client, result.origin_id, "state")["state"] == "posted"
    row = invoice(client, owner.origin_id, "amount_to_pay", "total_amount")
    assert row["total_amount"] == owner_payload.total_completed
    assert row["amount_to_pay"] == owner_payload.amount_due
    # Fetching through the REST API: the same domains, orders and dotted fields.
    batches, _ = fetch_all(connector, "job_cost_transactions", "", str(tryton.fx.job))
    filed = [r for b in batches for r in b.records]
    assert {r["source_document"] for r in filed} >= {x.origin_code for x in invoices}
    batches, _ = fetch_all(connector, "vendors", "")
    assert vendor.origin_id in origin_ids(batches)
    assert batches[0].total is None  # REST counts by listing: no total
    refused = TrytonConnector({**settings, "api_key": "not-a-key"})
    with pytest.raises(AuthenticationError, match="refused the API key"):
        refused.test_connection()


# --- records Tryton had before the portal (the demo's synced records) ----------------------------


def test_records_filed_under_the_portals_erp_ids_are_accepted_as_references(
    tryton, connector, client
):
    """``ensure_records`` files what the demo says is already synced (vendor V-..., job J-...,
    cost codes CC-...); exports then refer to them by those codes."""
    t = tryton.tag
    vendor, job, sub, codes = f"V-{t}", f"J-{t}", f"J-{t}-A", (f"CC-{t}-1", f"CC-{t}-2")
    assert connector.ensure_records("company", [(vendor, "Demo Concrete", None)]) == 1
    assert connector.ensure_records("project", [(job, "Demo Tower", None)]) == 1
    assert connector.ensure_records("sub_job", [(sub, "Phase A", job)]) == 1
    assert connector.ensure_records("cost_code", [(c, c, None) for c in codes]) == 2
    assert connector.ensure_records("project", [(job, "Demo Tower", None)]) == 0  # idempotent
    payload = tryton.sample_payload(T.SUBCONTRACTOR_INVOICE, 31)
    payload = dataclasses.replace(
        payload,
        party_ref=vendor,
        project_ref=sub,
        lines=tuple(
            dataclasses.replace(line, cost_code_ref=code)
            for line, code in zip(payload.lines, codes, strict=True)
        ),
    )
    result = connector.export(
        T.SUBCONTRACTOR_INVOICE, payload, new_key(T.SUBCONTRACTOR_INVOICE, 31)
    )
    row = invoice(client, result.origin_id, "state", "party.code", "move")
    assert (row["state"], row["party."]["code"]) == ("posted", vendor)
    accounts = client.search_read(
        "analytic_account.line", [("move_line.move", "=", row["move"])], ["account.code"]
    )
    assert sorted(a["account."]["code"] for a in accounts) == sorted([sub, sub, *codes])
