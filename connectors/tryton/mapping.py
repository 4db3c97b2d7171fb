"""How portal payloads become Tryton records (pure functions: no calls to Tryton here).

The table in README.md ("Mapping") is the reader's version of this module.

**Idempotency keys.** The portal's key is ``<connection>:<type>:<item>:<request>``. A Tryton
record carries its *portal reference*: the key without the ``:<request>`` part (so a re-sent
request for the same portal item finds the same record): ``7:commitment:42``. Other keys (not of
that shape) are used whole. It is kept where Tryton users see it and searches find it:

* a party's **code** (unique in Tryton, so the database itself refuses a second party for the
  same portal company) unless the approver typed a code to link to an existing party;
* ``[erp-portal 7:commitment:42]`` in the **note** of an analytic account and the **comment**
  of a purchase or an invoice (searched with ``like``).

Tryton's own keys are searched too before anything is created: a party's code, a job's or cost
code's code under its root, a purchase's reference (the portal's commitment number) for the
vendor and job, an invoice's reference for the party (and Tryton's "similar invoice" warning
when posting).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from connectors.payloads import (
    Address,
    CommitmentPayload,
    CompanyPayload,
    CostCodePayload,
    InvoiceLine,
    InvoicePayload,
    ProjectPayload,
    SubJobPayload,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MARKER = "[erp-portal {ref}]"


def portal_ref(idempotency_key: str) -> str:
    """The portal reference filed on a record: the key without its request part."""
    parts = idempotency_key.split(":")
    if len(parts) == 4 and all(parts):
        return ":".join(parts[:3])
    return idempotency_key


def marker(idempotency_key: str) -> str:
    return MARKER.format(ref=portal_ref(idempotency_key))


def marker_clause(field: str, idempotency_key: str) -> list[Any]:
    """A domain clause finding the record whose ``field`` carries the key's marker."""
    return [field, "like", f"%{marker(idempotency_key)}%"]


def has_marker(text: str | None, idempotency_key: str) -> bool:
    return marker(idempotency_key) in (text or "")


def any_marker(text: str | None) -> bool:
    return "[erp-portal " in (text or "")


def money(value: Decimal | int | str | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT)


def _note(*lines: str) -> str:
    return "\n".join(line for line in lines if line)


def party_code(payload: CompanyPayload, idempotency_key: str) -> str:
    """The party code: the one the approver typed (an existing party is linked), else the
    portal reference."""
    return payload.erp_vendor_id.strip() or portal_ref(idempotency_key)


def address_values(address: Address) -> dict[str, Any]:
    """A party address (country and state only where Tryton knows them: see the connector)."""
    values: dict[str, Any] = {}
    if address.street:
        values["street"] = address.street
    if address.city:
        values["city"] = address.city
    if address.zip:
        values["postal_code"] = address.zip
    return values


def party_values(payload: CompanyPayload, code: str, address: dict[str, Any]) -> dict[str, Any]:
    mechanisms = [
        {"type": kind, "value": value}
        for kind, value in (
            ("phone", payload.phone),
            ("email", payload.email),
            ("website", payload.website),
        )
        if value
    ]
    values: dict[str, Any] = {
        "name": payload.name,
        "code": code,
        # An invoice needs an invoice address, even an empty one.
        "addresses": [["create", [address]]],
    }
    if mechanisms:
        values["contact_mechanisms"] = [["create", mechanisms]]
    return values


def job_code(payload: ProjectPayload) -> str:
    return (payload.erp_job_number or payload.number).strip()


def project_note(payload: ProjectPayload, idempotency_key: str) -> str:
    a = payload.address
    place = ", ".join(x for x in (a.street, a.city, f"{a.state_code} {a.zip}".strip()) if x)
    dates = ""
    if payload.start_date or payload.completion_date:
        dates = f"Dates: {payload.start_date or '?'} to {payload.completion_date or '?'}"
    return _note(
        marker(idempotency_key),
        f"Project {payload.number} {payload.name}",
        place,
        dates,
        f"Estimated value: {money(payload.estimated_value)}" if payload.estimated_value else "",
    )


def analytic_values(*, name: str, code: str, root: int, parent: int, note: str) -> dict[str, Any]:
    return {
        "name": name,
        "code": code,
        "type": "normal",
        "root": root,
        "parent": parent,
        "state": "opened",
        "note": note,
    }


def project_values(payload: ProjectPayload, key: str, root: int) -> dict[str, Any]:
    return analytic_values(
        name=payload.name or payload.number,
        code=job_code(payload),
        root=root,
        parent=root,
        note=project_note(payload, key),
    )


def sub_job_values(payload: SubJobPayload, key: str, root: int, parent: int) -> dict[str, Any]:
    return analytic_values(
        name=payload.name or payload.code,
        code=payload.code,
        root=root,
        parent=parent,
        note=marker(key),
    )


def cost_code_values(payload: CostCodePayload, key: str, root: int, parent: int) -> dict[str, Any]:
    return analytic_values(
        name=payload.name or payload.full_code,
        code=payload.full_code,
        root=root,
        parent=parent,
        note=marker(key),
    )


def analytic_entries(pairs: Iterable[tuple[int, int | None]]) -> list[Any]:
    """``analytic_accounts`` of an invoice or purchase line: one entry per (root, account)."""
    entries = [{"root": root, "account": account} for root, account in pairs if account]
    return [["create", entries]] if entries else []


@dataclass(frozen=True)
class Books:
    """The Tryton records every export needs (read once per connector)."""

    company: int
    currency: int
    jobs_root: int
    cost_codes_root: int
    cost_account: int
    revenue_account: int
    retainage_payable_account: int
    retainage_receivable_account: int
    payable_account: int
    receivable_account: int
    expense_journal: int
    revenue_journal: int
    general_journal: int
    purchase_product: int
    purchase_unit: int


@dataclass(frozen=True)
class Party:
    id: int
    code: str
    address: int | None
    payable_account: int | None
    receivable_account: int | None


def commitment_comment(payload: CommitmentPayload, key: str) -> str:
    return _note(
        marker(key),
        f"{payload.kind.replace('_', ' ').capitalize()} {payload.number}, "
        f"project {payload.project_number}",
        f"Retainage: {payload.retainage_percent}%" if payload.retainage_percent else "",
        payload.description,
    )


def _line_codes(lines: Sequence[Any], cost_codes: Sequence[int] | None) -> list[int | None]:
    """The cost code (analytic id) of each line: resolved by the connector, else the refs."""
    if cost_codes is not None:
        return list(cost_codes)
    return [_int(line.cost_code_ref) for line in lines]


def purchase_values(
    payload: CommitmentPayload,
    key: str,
    books: Books,
    party: Party,
    job: int,
    cost_codes: Sequence[int] | None = None,
) -> dict[str, Any]:
    lines = [
        {
            "type": "line",
            "product": books.purchase_product,
            "unit": books.purchase_unit,
            "quantity": 1.0,
            "unit_price": money(line.amount),
            "description": line_description(line.position, line.description, line.cost_code),
            "analytic_accounts": analytic_entries(
                [(books.jobs_root, job), (books.cost_codes_root, code)]
            ),
        }
        for line, code in zip(payload.lines, _line_codes(payload.lines, cost_codes), strict=True)
    ]
    values: dict[str, Any] = {
        "company": books.company,
        "currency": books.currency,
        "party": party.id,
        "reference": payload.erp_number or payload.number,
        "description": payload.title,
        "purchase_date": payload.contract_date or payload.accounting_date or datetime.date.today(),
        "invoice_method": "manual",  # invoiced by the portal's pay applications
        "comment": commitment_comment(payload, key),
        "lines": [["create", lines]],
    }
    if party.address:
        values["invoice_address"] = party.address
    return values


def line_description(position: int, description: str, cost_code: str | None) -> str:
    text = description or "Work"
    return f"{position}. {text}" + (f" ({cost_code})" if cost_code else "")


def invoice_reference(payload: InvoicePayload) -> str:
    """The invoice's reference: the contract number and the invoice number ("SC-001/7"), unique
    for the party (a subcontractor's invoices are numbered per commitment)."""
    return (
        f"{payload.contract_number}/{payload.number}" if payload.contract_number else payload.number
    )


def invoice_comment(payload: InvoicePayload, key: str) -> str:
    period = ""
    if payload.period_start or payload.period_end:
        period = f"Period: {payload.period_start or '?'} to {payload.period_end or '?'}"
    return _note(
        marker(key),
        f"Pay application {payload.number} on {payload.contract_number}",
        period,
        f"Work completed and stored: {money(payload.total_completed)}; "
        f"retainage held: {money(payload.retainage_held)}; "
        f"amount due: {money(payload.amount_due)}",
    )


def earned(line: InvoiceLine) -> Decimal:
    return money(line.work_completed) + money(line.materials_stored)


def retainage(lines: Sequence[InvoiceLine]) -> tuple[Decimal, Decimal]:
    """(held this period, released this period)."""
    held = sum((money(x.retainage_held) for x in lines), ZERO)
    released = sum((money(x.retainage_released) for x in lines), ZERO)
    return held, released


def invoice_values(
    payload: InvoicePayload,
    key: str,
    books: Books,
    party: Party,
    job: int,
    *,
    kind: str,
    cost_codes: Sequence[int] | None = None,
) -> dict[str, Any]:
    """A supplier (``in``) or customer (``out``) invoice for the gross amount earned this period,
    one line per pay item (job and cost code as analytic accounts).

    On a supplier invoice the retainage is on the invoice: a "Retainage held" line (negative) and
    a "Retainage released" line to Retainage Payable, so the invoice's total is the amount due.
    A customer invoice may only book revenue accounts: its retainage is moved by a separate entry
    (:func:`retainage_move_values`) attached to the invoice."""
    supplier = kind == "in"
    account = books.cost_account if supplier else books.revenue_account
    lines: list[dict[str, Any]] = []
    codes = _line_codes(payload.lines, cost_codes)
    for line, code in zip(payload.lines, codes, strict=True):
        amount = earned(line)
        if not amount:
            continue
        lines.append(
            {
                "type": "line",
                "account": account,
                "description": line_description(line.position, line.description, line.cost_code),
                "quantity": 1.0,
                "unit_price": amount,
                "analytic_accounts": analytic_entries(
                    [(books.jobs_root, job), (books.cost_codes_root, code)]
                ),
            }
        )
    held, released = retainage(payload.lines)
    if supplier:
        for description, amount in (("Retainage held", -held), ("Retainage released", released)):
            if amount:
                lines.append(
                    {
                        "type": "line",
                        "account": books.retainage_payable_account,
                        "description": f"{description} ({payload.contract_number})",
                        "quantity": 1.0,
                        "unit_price": amount,
                    }
                )
    if supplier:
        party_account = party.payable_account or books.payable_account
    else:
        party_account = party.receivable_account or books.receivable_account
    values: dict[str, Any] = {
        "company": books.company,
        "currency": books.currency,
        "type": kind,
        "party": party.id,
        "reference": invoice_reference(payload),
        "description": f"{payload.contract_number} pay application {payload.number}",
        "invoice_date": payload.billing_date,
        "journal": books.expense_journal if supplier else books.revenue_journal,
        "account": party_account,
        "comment": invoice_comment(payload, key),
        "lines": [["create", lines]],
    }
    if party.address:
        values["invoice_address"] = party.address
    return values


def retainage_move_values(
    payload: InvoicePayload, books: Books, party: Party, period: int, invoice: int
) -> dict[str, Any] | None:
    """For a customer invoice: the entry moving this period's net retainage between the
    receivable (what the owner owes now) and Retainage Receivable (what it owes at release);
    attached to the invoice (``additional_moves``), so the invoice's amount to pay is the
    amount due. None when nothing is held or released."""
    held, released = retainage(payload.lines)
    net = held - released
    if not net:
        return None
    receivable = party.receivable_account or books.receivable_account
    debit_retainage, credit_receivable = (net, ZERO) if net > 0 else (ZERO, -net)
    return {
        "company": books.company,
        "journal": books.general_journal,
        "period": period,
        "date": payload.billing_date,
        "description": f"Retainage, {payload.contract_number} pay application {payload.number}",
        "origin": f"account.invoice,{invoice}",
        "lines": [
            [
                "create",
                [
                    {
                        "account": books.retainage_receivable_account,
                        "party": party.id,
                        "debit": debit_retainage,
                        "credit": credit_receivable,
                    },
                    {
                        "account": receivable,
                        "party": party.id,
                        "debit": credit_receivable,
                        "credit": debit_retainage,
                        "maturity_date": payload.billing_date,
                    },
                ],
            ]
        ],
    }


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def ref_id(value: str | None) -> int | None:
    """An ERP id the portal passed back (``*_ref``), as Tryton's integer id."""
    return _int(value)
