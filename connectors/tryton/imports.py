"""What Tryton sends to the portal: job cost transactions and payments of supplier invoices,
in pages that resume after the last Tryton id seen (the cursor)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from connectors.base import Batch, PermanentError
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton

FETCH_BATCH = 500

Records = tuple[list[dict[str, Any]], int]  # a page's records and the last id it read
Page = Callable[[Tryton, int, int], Records]


def fetch_size(settings: dict[str, Any]) -> int:
    try:
        return max(1, int(settings.get("fetch_batch_size") or FETCH_BATCH))
    except ValueError:
        return FETCH_BATCH


def fetch(tryton: Tryton, kind: str, cursor: str, size: int) -> Iterator[Batch]:
    """The batches of ``kind`` after ``cursor``. Checked and logged in at once, not at the
    first batch: a bad cursor or refused credentials raise here."""
    page = PAGES.get(kind)
    if page is None:
        raise PermanentError(f"Tryton does not send {kind} to the portal.")
    try:
        last = int(cursor or 0)
    except ValueError:
        raise PermanentError(f"{cursor!r} is not a Tryton import cursor.") from None
    tryton.books  # noqa: B018 (log in before the first batch: refused credentials raise here)
    return _pages(tryton, last, size, page)


def _pages(tryton: Tryton, last: int, size: int, page: Page) -> Iterator[Batch]:
    while True:
        records, last_id = page(tryton, last, size)
        if not records:
            return
        last = last_id
        yield Batch(records=tuple(records), cursor=str(last))
        if len(records) < size:
            return


def job_cost_page(tryton: Tryton, after: int, size: int) -> Records:
    """Posted expense lines per job and cost code: the analytic lines on Jobs (one
    search_read), their Cost Codes twins (one) and their invoices (one)."""
    c, b = tryton.client, tryton.books
    rows = c.search_read(
        "analytic_account.line",
        [
            ("id", ">", after),
            ("account.root", "=", b.jobs_root),
            ("move_line.move.state", "=", "posted"),
            ("move_line.account.type.expense", "=", True),
        ],
        [
            "date",
            "debit",
            "credit",
            "account",
            "account.code",
            "account.parent",
            "move_line",
            "move_line.description",
            "move_line.account.code",
            "move_line.move.number",
            "move_line.move.origin",
            "move_line.move.description",
        ],
        limit=size,
        order=[("id", "ASC")],
    )
    if not rows:
        return [], after
    codes = c.search_read(
        "analytic_account.line",
        [
            ("move_line", "in", sorted({r["move_line"] for r in rows})),
            ("account.root", "=", b.cost_codes_root),
        ],
        ["move_line", "account", "account.code"],
    )
    code_of = {r["move_line"]: r for r in codes}
    origins = {r["id"]: _invoice_id(_sub(_sub(r, "move_line"), "move").get("origin")) for r in rows}
    invoice_ids = sorted({i for i in origins.values() if i})
    invoices: dict[int, dict[str, Any]] = {}
    if invoice_ids:
        invoices = {
            inv["id"]: inv
            for inv in c.search_read(
                "account.invoice",
                [("id", "in", invoice_ids)],
                ["number", "party.code", "comment"],
            )
        }
    records = []
    for r in rows:
        account, line = _sub(r, "account"), _sub(r, "move_line")
        move = _sub(line, "move")
        parent = account.get("parent")
        sub_job = parent is not None and parent != b.jobs_root
        invoice = invoices.get(origins[r["id"]] or 0)
        code = code_of.get(r["move_line"])
        records.append(
            {
                "origin_id": str(r["id"]),
                "job": str(parent if sub_job else r["account"]),
                "sub_job": str(r["account"]) if sub_job else None,
                "job_code": account.get("code") or "",
                "cost_code": str(code["account"]) if code else None,
                "cost_code_code": _sub(code, "account").get("code") if code else None,
                "amount": str(m.money(r["debit"]) - m.money(r["credit"])),
                "posted_on": r["date"].isoformat(),
                "account": _sub(line, "account").get("code") or "",
                "move": move.get("number") or "",
                "description": line.get("description") or move.get("description") or "",
                "kind": _cost_kind(invoice),
                "invoice": str(invoice["id"]) if invoice else None,
                "invoice_number": (invoice or {}).get("number") or "",
                "vendor": _sub(invoice, "party").get("code") if invoice else None,
            }
        )
    return records, int(rows[-1]["id"])


def payment_page(tryton: Tryton, after: int, size: int) -> Records:
    """Payments of supplier invoices: the payment lines Tryton adds to an invoice (pay
    wizard, statements), with the invoice's state and amount to pay, in one search_read."""
    rows = tryton.client.search_read(
        "account.move.line",
        [
            ("id", ">", after),
            ("invoice_payments.type", "=", "in"),
            ("move.state", "=", "posted"),
        ],
        [
            "date",
            "debit",
            "credit",
            "description",
            "move.number",
            "move.journal.code",
            "invoice_payment",
            "invoice_payment.number",
            "invoice_payment.state",
            "invoice_payment.amount_to_pay",
            "invoice_payment.total_amount",
            "invoice_payment.reference",
        ],
        limit=size,
        order=[("id", "ASC")],
    )
    records = []
    for r in rows:
        invoice, move = _sub(r, "invoice_payment"), _sub(r, "move")
        to_pay = m.money(invoice.get("amount_to_pay"))
        paid = invoice.get("state") == "paid" or to_pay == 0
        records.append(
            {
                "origin_id": str(r["id"]),
                "invoice": str(r["invoice_payment"]),
                "invoice_number": invoice.get("number") or "",
                "invoice_reference": invoice.get("reference") or "",
                "amount": str(m.money(r["debit"]) - m.money(r["credit"])),
                "paid_on": r["date"].isoformat(),
                "status": "paid" if paid else "partial",
                "amount_to_pay": str(to_pay),
                "invoice_total": str(m.money(invoice.get("total_amount"))),
                "payment_number": move.get("number") or "",
                "method": _sub(move, "journal").get("code") or "",
                "description": r.get("description") or "",
            }
        )
    return records, (int(rows[-1]["id"]) if rows else after)


PAGES: dict[str, Page] = {"job_cost_transactions": job_cost_page, "payments": payment_page}


def _sub(row: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """A dotted field group of a ``search_read`` row (Tryton nests ``a.b`` as ``"a.": {...}``)."""
    value = (row or {}).get(f"{name}.")
    return value if isinstance(value, dict) else {}


def _cost_kind(invoice: dict[str, Any] | None) -> str:
    """The portal's kind of cost: a subcontractor invoice the portal filed, another supplier
    invoice, or another entry."""
    if invoice is None:
        return "expense"
    return "subcontractor_invoice" if m.any_marker(invoice.get("comment")) else "invoice"


def _invoice_id(origin: Any) -> int | None:
    """The invoice id of a move's origin (``"account.invoice,12"``), if it is an invoice."""
    if isinstance(origin, str) and origin.startswith("account.invoice,"):
        return m.ref_id(origin.split(",", 1)[1])
    return None
