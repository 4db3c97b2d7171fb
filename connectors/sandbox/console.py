"""The sandbox ERP's console: what the ERP's own users do in it, behind the portal's back.

They add and change vendors, jobs and standard cost codes (and deactivate codes), post
payments against the invoices the ERP holds (and void them), and post job cost transactions.
Each function files or changes ledger rows (a new revision each, so the next ``fetch`` sends
them) in the shapes of :mod:`connectors.imports`, and returns the row. A value the ERP refuses
is a ``ValidationError`` naming the field, in the user's words.

:func:`generate_job_costs` fills a job with many realistic job cost transactions, in chunks
(for benchmarks and tests of big fetches).
"""

from __future__ import annotations

import datetime
import json
import random
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from connectors.imports import FetchKind, PaymentStatus, SourceType
from connectors.sandbox import models as ledger_models
from connectors.sandbox.models import LedgerRecord, take_revisions
from connectors.sandbox.records import fields_of

K = FetchKind
R = TypeVar("R", bound=LedgerRecord)
CENT = Decimal("0.01")
PAYMENT_METHODS = ("check", "ach", "wire", "card")
INVOICE_TYPES = ("subcontractor_invoice", "owner_invoice")
CHUNK = 5000  # job cost rows per insert (and per transaction)


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


# --- job costs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobCost:
    """One job cost transaction as the ERP posts it (references are ERP numbers)."""

    job: str
    cost_code: str
    cost_type: str
    amount: Decimal
    reference_date: datetime.date
    source_type: SourceType
    source_document: str = ""
    description: str = ""
    vendor: str | None = None
    sub_job: str | None = None
    post_date: datetime.date | None = None

    def data(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "sub_job": self.sub_job,
            "cost_code": self.cost_code,
            "cost_type": self.cost_type,
            "vendor": self.vendor,
            "amount": str(self.amount.quantize(CENT)),
            "reference_date": self.reference_date.isoformat(),
            "post_date": (self.post_date or self.reference_date).isoformat(),
            "source_type": str(self.source_type),
            "source_document": self.source_document,
            "description": self.description,
        }


def job_costs_post(ledger: str, costs: Sequence[JobCost]) -> list[ledger_models.JobCostTransaction]:
    """Post job cost transactions (one statement, one block of revisions); return the rows."""
    if not costs:
        return []
    for cost in costs:
        _required(job=cost.job, cost_code=cost.cost_code, cost_type=cost.cost_type)
    table = ledger_models.JobCostTransaction
    with transaction.atomic():
        first = take_revisions(ledger, len(costs))
        rows = [
            table(
                ledger=ledger,
                number=f"{table.prefix}{first + i:08d}",  # revisions are unique in the ledger
                revision=first + i,
                name=cost.description[:255],
                data=cost.data(),
            )
            for i, cost in enumerate(costs)
        ]
        return table.objects.bulk_create(rows)


@dataclass(frozen=True)
class _References:
    """What a generated job cost may point at in the ledger."""

    codes: tuple[str, ...]
    types: dict[str, str]  # cost type code (L, M, ...) -> its ERP number
    vendors: tuple[str, ...]
    sub_jobs: tuple[str, ...]


def _references(ledger: str, job: str) -> _References:
    codes = tuple(
        row.number
        for row, fields in _codes(ledger)
        if fields["parent"] and fields["is_active"] is not False
    )
    types = {
        str(fields_of(K.COST_TYPES, row)["code"]): row.number
        for row in ledger_models.CostType.objects.filter(ledger=ledger)
    }
    if not codes or not types:
        raise ValueError(f"Ledger {ledger} needs cost codes and cost types before job costs.")
    vendors = tuple(
        ledger_models.Vendor.objects.filter(ledger=ledger).values_list("number", flat=True)
    )
    sub_jobs = tuple(
        ledger_models.SubJob.objects.filter(ledger=ledger, data__job=job).values_list(
            "number", flat=True
        )
    )
    return _References(codes, types, vendors, sub_jobs)


MATERIALS = (
    "Ready-mix concrete, 4000 psi",
    "Rebar #5, delivered",
    "Dimensional lumber and sheathing",
    "Gypsum board and metal studs",
    "Conduit and wire",
    "Waterproofing membrane",
    "Anchor bolts and embeds",
    "Temporary fencing rental",
)
EQUIPMENT = (
    "Excavator, 30-ton",
    "Telehandler, 10k lb",
    "Scissor lift, 26 ft",
    "Tower crane, monthly",
    "Skid steer",
    "Light tower and generator",
)
# (source, share of transactions in percent, cost type code, amount range in dollars)
MIX: tuple[tuple[SourceType, int, str, tuple[int, int]], ...] = (
    (SourceType.AP_INVOICE, 45, "M", (180, 42_000)),
    (SourceType.PAYROLL, 30, "L", (1_200, 24_000)),
    (SourceType.EQUIPMENT, 15, "E", (250, 9_500)),
    (SourceType.SUBCONTRACTOR_INVOICE, 10, "S", (4_000, 120_000)),
)


def _one_cost(
    rnd: random.Random, job: str, refs: _References, start: datetime.date, days: int
) -> JobCost:
    source, _, type_code, (low, high) = rnd.choices(MIX, weights=[m[1] for m in MIX])[0]
    cost_type = refs.types.get(type_code) or rnd.choice(list(refs.types.values()))
    day = start + datetime.timedelta(days=rnd.randrange(days))
    # Mostly modest amounts, now and then a big one (log-uniform between low and high).
    amount = Decimal(low * (high / low) ** rnd.random()).quantize(CENT)
    vendor = rnd.choice(refs.vendors) if refs.vendors else None
    if source is SourceType.PAYROLL:
        week = day.isocalendar().week
        vendor, document, text = None, f"PR-{day.year}-{week:02d}", f"Field labor, week {week}"
    elif source is SourceType.EQUIPMENT:
        document, text = f"EQ-{day:%y%m}-{rnd.randrange(1, 999):03d}", rnd.choice(EQUIPMENT)
    elif source is SourceType.SUBCONTRACTOR_INVOICE:
        document, text = f"PA-{day:%y%m}-{rnd.randrange(1, 99):02d}", "Progress billing"
    else:
        document, text = f"{rnd.randrange(10_000, 99_999)}", rnd.choice(MATERIALS)
    return JobCost(
        job=job,
        sub_job=rnd.choice(refs.sub_jobs) if refs.sub_jobs and rnd.random() < 0.6 else None,
        cost_code=rnd.choice(refs.codes),
        cost_type=cost_type,
        vendor=vendor,
        amount=amount,
        reference_date=day,
        post_date=day + datetime.timedelta(days=rnd.randrange(0, 6)),
        source_type=source,
        source_document=document,
        description=text,
    )


def generate_job_costs(
    ledger: str,
    job: str,
    count: int,
    *,
    start: datetime.date | None = None,
    days: int = 90,
    seed: int | None = None,
    chunk: int = CHUNK,
) -> int:
    """Post ``count`` realistic job cost transactions to ``job`` (AP invoices, payroll,
    equipment, subcontractor billings; dates over ``days`` from ``start``, by default the last
    ``days``; the ledger's own cost codes, cost types, vendors and the job's sub jobs), in
    chunks of ``chunk`` rows, each one insert and one transaction, so memory stays bounded
    whatever ``count``. Returns how many were posted."""
    if count < 0:
        raise ValueError("count must not be negative")
    refs = _references(ledger, job)
    rnd = random.Random(seed)
    start = start or datetime.date.today() - datetime.timedelta(days=days)
    alias = router.db_for_write(ledger_models.JobCostTransaction)
    insert: Callable[[str, Sequence[JobCost]], object] = (
        _copy_rows if connections[alias].vendor == "postgresql" else job_costs_post
    )
    done = 0
    while done < count:
        size = min(chunk, count - done)
        insert(ledger, [_one_cost(rnd, job, refs, start, days) for _ in range(size)])
        done += size
    return done


def _copy_rows(ledger: str, costs: Sequence[JobCost]) -> None:
    """PostgreSQL: the chunk through ``COPY`` (several times faster than INSERT)."""
    table = ledger_models.JobCostTransaction
    alias = router.db_for_write(table)
    columns = ("ledger", "number", "name", "data", "job", "revision", "created_at", "updated_at")
    now = timezone.now()
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        first = take_revisions(ledger, len(costs), using=alias)
        sql = f"COPY {table._meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for i, cost in enumerate(costs):
                number = f"{table.prefix}{first + i:08d}"
                data = json.dumps(cost.data())
                name, job = cost.description[:255], cost.job[:40]
                copy.write_row((ledger, number, name, data, job, first + i, now, now))
