"""Payments: the payment lines of invoices (what Tryton's *Pay* button files, or lines a user
adds to an invoice's *Payment Lines*), of supplier invoices (the portal's subcontractor
invoices) and customer invoices (its owner invoices).

A payment has two clocks: its line's (posted; reconciled when the invoice is paid, or when the
payment is cancelled by a reversing entry; unreconciled) and its invoice's (Tryton writes the
invoice when a payment line is added to it, when it is paid or cancelled). One stream per
clock (see :mod:`.paging`): the lines' own, and the invoices', which sends the payment lines of
each invoice written after the line (in pages of at most ``size`` lines, an invoice with more
lines spanning pages: the position's ``sub`` is the last line sent).

``status``: *paid* once Tryton has the invoice paid (reconciled); *void* when the line no longer
counts for the invoice (reconciled with something else while the invoice is not paid, as a
cancelled payment is with its reversal, or the invoice cancelled); else *partial*.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.imports import PaymentStatus
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.imports.paging import (
    LMT,
    ModelStream,
    Page,
    Position,
    Record,
    Row,
    Stream,
    after,
    iso,
    stamp,
    sub,
    value_at,
)

TYPES = ("in", "out")
INVOICE_TYPE = {"in": "subcontractor_invoice", "out": "owner_invoice"}
LINE_FIELDS = ("date", "debit", "credit", "reconciliation", "move.number", "move.state", LMT)
INVOICE_FIELDS = ("type", "state", LMT)
INVOICE_LMT = "invoice_payment.last_modified_at"


def payment_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    lines = ModelStream(
        model="account.move.line",
        domain=[("invoice_payments.type", "in", list(TYPES)), ("move.state", "=", "posted")],
        key=LMT,
        fields=(*LINE_FIELDS, "invoice_payment", *(f"invoice_payment.{f}" for f in INVOICE_FIELDS)),
        build=lambda tryton, rows: [_record(r, sub(r, "invoice_payment")) for r in rows],
        owns=lambda r: not _invoice_newer(r, value_at(r, INVOICE_LMT)),
    )
    return [lines, InvoiceStream()]


def _invoice_newer(line: Row, invoice_changed: object) -> bool:
    own = line[LMT]
    return bool(invoice_changed and own and invoice_changed > own)


@dataclass(frozen=True)
class InvoiceStream:
    """The invoices' clock: invoices with payment lines by ``last_modified_at`` and id, each
    sending its payment lines older than itself (two calls a page: invoices, lines)."""

    def page(self, tryton: Tryton, after_: Position, size: int, first: bool) -> Page:
        c = tryton.client
        invoices = c.search_read(
            "account.invoice",
            [
                ("type", "in", list(TYPES)),
                ("payment_lines", "!=", None),
                # An invoice left half sent is taken up again (if it did not change since).
                *after(LMT, after_, inclusive=after_.sub > 0),
            ],
            [*INVOICE_FIELDS, "payment_lines"],
            limit=size,
            order=[(LMT, "ASC"), ("id", "ASC")],
        )
        todo: list[tuple[Row, int]] = []  # (invoice, line id) in order
        for invoice in invoices:
            ids = sorted(invoice["payment_lines"])
            if (invoice[LMT], invoice["id"]) == (after_.at, after_.id):
                ids = [i for i in ids if i > after_.sub]
            todo.extend((invoice, i) for i in ids)
        if not todo:
            last = invoices[-1] if invoices else None
            position = Position(last[LMT], last["id"]) if last else after_
            return Page([], position, len(invoices) >= size)
        taken = todo[:size]
        invoice, line_id = taken[-1]
        done = line_id == max(invoice["payment_lines"])
        position = Position(invoice[LMT], invoice["id"], 0 if done else line_id)
        rows = c.read("account.move.line", [i for _, i in taken], list(LINE_FIELDS))
        lines = {r["id"]: r for r in rows}
        records = []
        for inv, i in taken:
            line = lines.get(i)
            if line is None or sub(line, "move").get("state") != "posted":
                continue
            if _invoice_newer(line, inv[LMT]):
                records.append(_record(line, inv))
        more = len(todo) > size or len(invoices) >= size
        return Page(records, position, more)


def _record(line: Row, invoice: Row) -> Record:
    kind = invoice.get("type") or "in"
    amount = m.money(line["debit"]) - m.money(line["credit"])
    move = sub(line, "move")
    return {
        "origin_id": str(line["id"]),
        "origin_code": move.get("number") or "",
        "changed_at": stamp(line[LMT], invoice.get(LMT)),
        "invoice_type": INVOICE_TYPE.get(kind, kind),
        "invoice": str(invoice["id"]),
        "amount": str(abs(amount)),
        "paid_on": iso(line["date"]),
        "method": None,  # Tryton keeps the payment method on no record of the payment
        "check_number": None,
        "status": str(_status(line, invoice)),
    }


def _status(line: Row, invoice: Row) -> PaymentStatus:
    state = invoice.get("state")
    if state == "paid":
        return PaymentStatus.PAID
    if state == "cancelled" or line.get("reconciliation"):
        return PaymentStatus.VOID
    return PaymentStatus.PARTIAL
