"""The sandbox ERP's console: what the ERP's own users do in it, behind the portal's back.

They add and change vendors, jobs and standard cost codes (and deactivate codes), post
payments against the invoices the ERP holds (and void them), post job cost transactions, and
delete records the portal exported (which the portal may then unlink).
Each function files or changes ledger rows (a new revision each, so the next ``fetch`` sends
them) in the shapes of :mod:`connectors.imports`, and returns the row. A value the ERP refuses
is a ``ValidationError`` naming the field, in the user's words.
Job cost transactions are posted with :mod:`connectors.sandbox.job_costs`.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import transaction

from connectors.imports import FetchKind, PaymentStatus
from connectors.sandbox import models as ledger_models
from connectors.sandbox.models import LedgerRecord
from connectors.sandbox.records import fields_of

K = FetchKind
R = TypeVar("R", bound=LedgerRecord)
CENT = Decimal("0.01")
PAYMENT_METHODS = ("check", "ach", "wire", "card")
INVOICE_TYPES = ("subcontractor_invoice", "owner_invoice")


def _json(value: Any) -> Any:
    """A value as the ledger keeps it: ISO dates, decimal strings, "" as None."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    return None if value == "" else value


def _money(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: "Enter an amount such as 1250.00."}) from None
    if not amount.is_finite():
        raise ValidationError({field: "Enter an amount such as 1250.00."})
    return amount


def _find(table: type[R], ledger: str, number: str, *, lock: bool = False) -> R | None:
    rows = table._default_manager.filter(ledger=ledger, number=number)
    return cast("R | None", (rows.select_for_update() if lock else rows).first())


def _file_new(table: type[R], ledger: str, *, name: str, data: dict[str, Any], number: str) -> R:
    """A new row under ``number``, or numbered by the ERP (prefix + 1000 + its id)."""
    with transaction.atomic():
        row = table._default_manager.create(
            ledger=ledger, number=number or f"new-{uuid.uuid4().hex}", name=name[:255], data=data
        )
        if not number:
            row.number = f"{table.prefix}{1000 + row.pk}"
            row.save(update_fields=["number"])
    return cast("R", row)


def _save(table: type[R], kind: str, ledger: str, number: str, values: dict[str, Any]) -> R:
    """Change row ``number`` (its fields as the ERP sends them, with the ``values`` given over
    them: one left empty keeps the ERP's), or file a new one when the ledger has no such
    number."""
    values = {key: _json(value) for key, value in values.items()}
    name = str(values.get("name") or values.get("full_code") or "")
    with transaction.atomic():
        row = _find(table, ledger, number, lock=True) if number else None
        if row is None:
            return _file_new(table, ledger, name=name, data=values, number=number)
        kept = {"origin_code": row.data["origin_code"]} if "origin_code" in row.data else {}
        given = {key: value for key, value in values.items() if value is not None}
        row.data = {**fields_of(kind, row), **kept, **given}
        row.name = name[:255] or row.name
        row.save()
    return row


def _required(**values: str) -> None:
    missing = {field: "This is required by the ERP." for field, v in values.items() if not v}
    if missing:
        raise ValidationError(missing)


# --- master records ----------------------------------------------------------------------------


def vendor_save(
    ledger: str,
    *,
    number: str = "",
    name: str,
    tax_id: str = "",
    email: str = "",
    phone: str = "",
    street: str = "",
    city: str = "",
    state_code: str = "",
    zip: str = "",
    country_code: str = "US",
    is_active: bool = True,
) -> ledger_models.Vendor:
    """Add a vendor (numbered by the ERP unless ``number`` is new), or change vendor ``number``
    (what is left empty keeps the ERP's value)."""
    _required(name=name)
    values = {
        "name": name,
        "tax_id": tax_id,
        "email": email,
        "phone": phone,
        "street": street,
        "city": city,
        "state_code": state_code,
        "zip": zip,
        "country_code": country_code,
        "is_active": is_active,
    }
    return _save(ledger_models.Vendor, K.VENDORS, ledger, number, values)


def job_save(
    ledger: str,
    *,
    number: str = "",
    name: str,
    address: str = "",
    city: str = "",
    state_code: str = "",
    zip: str = "",
    country_code: str = "US",
    start_date: datetime.date | None = None,
    completion_date: datetime.date | None = None,
    estimated_value: Decimal | None = None,
    is_active: bool = True,
) -> ledger_models.Job:
    """Add a job (numbered by the ERP unless ``number`` is new), or change job ``number``
    (what is left empty keeps the ERP's value)."""
    _required(name=name)
    if start_date and completion_date and completion_date < start_date:
        raise ValidationError({"completion_date": "The job cannot finish before it starts."})
    values = {
        "name": name,
        "address": address,
        "city": city,
        "state_code": state_code,
        "zip": zip,
        "country_code": country_code,
        "start_date": start_date,
        "completion_date": completion_date,
        "estimated_value": estimated_value,
        "is_active": is_active,
    }
    return _save(ledger_models.Job, K.JOBS, ledger, number, values)


def _codes(ledger: str) -> Iterator[tuple[ledger_models.CostCode, dict[str, Any]]]:
    for row in ledger_models.CostCode.objects.filter(ledger=ledger).order_by("number"):
        yield row, fields_of(K.STANDARD_COST_CODES, row)


def cost_code_save(
    ledger: str, *, full_code: str, name: str, parent: str | None = None, is_active: bool = True
) -> ledger_models.CostCode:
    """Add standard cost code ``full_code`` (``03-300``; ``03`` is a division), or change the
    one the ledger has. Its parent is the division's code unless ``parent`` names one."""
    _required(full_code=full_code, name=name)
    division, dash, _ = full_code.partition("-")
    found = {fields["full_code"]: row for row, fields in _codes(ledger)}
    if parent is None and dash:
        division_row = found.get(division)
        if division_row is None:
            raise ValidationError(
                {"full_code": f"Add division {division} to the ERP before its codes."}
            )
        parent = division_row.number
    values = {
        "code": full_code.partition("-")[2] or full_code,
        "full_code": full_code,
        "name": name,
        "parent": parent,
        "is_active": is_active,
    }
    existing = found.get(full_code)
    number = existing.number if existing is not None else f"CC-{full_code}"
    return _save(ledger_models.CostCode, K.STANDARD_COST_CODES, ledger, number, values)


def cost_code_deactivate(ledger: str, *, number: str) -> ledger_models.CostCode:
    """Mark cost code ``number`` inactive (the ERP keeps it; new costs cannot use it)."""
    if _find(ledger_models.CostCode, ledger, number) is None:
        raise ValidationError({"number": f"The ERP has no cost code {number}."})
    return _save(
        ledger_models.CostCode, K.STANDARD_COST_CODES, ledger, number, {"is_active": False}
    )


# --- payments ----------------------------------------------------------------------------------


def amount_due(invoice: ledger_models.Invoice) -> Decimal:
    """What the invoice asks to be paid (its export's ``amount_due``)."""
    data = invoice.data if isinstance(invoice.data, Mapping) else {}
    return Decimal(str(data.get("amount_due") or data.get("amount") or "0"))


def amount_paid(ledger: str, invoice: str) -> Decimal:
    """What the payments not voided have paid on invoice ``invoice`` (its ERP number)."""
    rows = ledger_models.Payment.objects.filter(ledger=ledger, data__invoice=invoice)
    return sum(
        (Decimal(str(p.data.get("amount") or 0)) for p in rows if p.data.get("status") != "void"),
        Decimal("0"),
    )


def payment_post(
    ledger: str,
    *,
    invoice: str,
    amount: Decimal | str,
    paid_on: datetime.date,
    method: str,
    check_number: str = "",
) -> ledger_models.Payment:
    """Pay ``amount`` (part or all of what is left) on invoice ``invoice`` (its ERP number)."""
    paid = _money(amount)
    if paid <= 0:
        raise ValidationError({"amount": "Enter an amount more than zero."})
    if method not in PAYMENT_METHODS:
        raise ValidationError({"method": f"Choose one of: {', '.join(PAYMENT_METHODS)}."})
    if method == "check" and not check_number.strip():
        raise ValidationError({"check_number": "Enter the number of the check."})
    with transaction.atomic():
        row = _find(ledger_models.Invoice, ledger, invoice, lock=True)  # one payment at a time
        if row is None:
            raise ValidationError({"invoice": f"The ERP has no invoice {invoice}."})
        due, before = amount_due(row), amount_paid(ledger, invoice)
        left = due - before
        if due > 0 and paid > left:
            raise ValidationError(
                {"amount": f"Invoice {invoice} has {left:,.2f} left to pay; {paid:,.2f} is more."}
            )
        status = PaymentStatus.PAID if due <= 0 or paid == left else PaymentStatus.PARTIAL
        kind = row.data.get("type") if row.data.get("type") in INVOICE_TYPES else INVOICE_TYPES[0]
        data = {
            "invoice_type": kind,
            "invoice": invoice,
            "amount": str(paid),
            "paid_on": paid_on.isoformat(),
            "method": method,
            "check_number": check_number.strip() or None,
            "status": str(status),
        }
        return _file_new(
            ledger_models.Payment, ledger, name=f"{invoice} {method}", data=data, number=""
        )


def payment_void(ledger: str, *, number: str) -> ledger_models.Payment:
    """Void payment ``number`` (a bounced check, a wire sent back): the ERP sends it again,
    void."""
    with transaction.atomic():
        row = _find(ledger_models.Payment, ledger, number, lock=True)
        if row is None:
            raise ValidationError({"payment": f"The ERP has no payment {number}."})
        if row.data.get("status") == PaymentStatus.VOID:
            raise ValidationError({"payment": f"Payment {number} is already void."})
        row.data = {**row.data, "status": str(PaymentStatus.VOID)}
        row.save()
    return row


# --- deleting records ----------------------------------------------------------------------------

# What the ERP's users may delete, by the console's word: the records the portal can then
# unlink (its ``delete_check`` answers True once the row is gone).
DELETABLE: dict[str, type[LedgerRecord]] = {
    "vendor": ledger_models.Vendor,
    "commitment": ledger_models.Commitment,
    "change_order": ledger_models.ChangeOrder,
    "invoice": ledger_models.Invoice,
}


def record_delete(ledger: str, *, kind: str, number: str) -> LedgerRecord:
    """Delete record ``number`` of ``kind`` (a key of :data:`DELETABLE`), as an ERP user
    deletes a purchase order entered by mistake; an invoice with live payments is refused (void
    them first). Returns the row as it was."""
    table = DELETABLE.get(kind)
    if table is None:
        raise ValidationError({"kind": f"Choose one of: {', '.join(DELETABLE)}."})
    what = kind.replace("_", " ")
    with transaction.atomic():
        row = _find(table, ledger, number.strip(), lock=True)
        if row is None:
            raise ValidationError({"number": f"The ERP has no {what} {number}."})
        if table is ledger_models.Invoice and amount_paid(ledger, row.number) > 0:
            raise ValidationError(
                {"number": f"Invoice {row.number} has payments: void them first."}
            )
        row.delete()
    return row
