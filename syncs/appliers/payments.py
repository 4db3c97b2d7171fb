"""Payments from the ERP, applied to the invoices the portal exported: paid on subcontractor
invoices, received on owner invoices.

Idempotent under replay and out-of-order delivery: a payment is kept once per ERP id, and a
notice is applied only when it is newer (``changed_at``) than the version the portal holds, so
a late "paid" never undoes a "void". An invoice's paid to date is the sum of its payments that
are not void (see :func:`syncs.selectors.paid_to_date`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from connectors.imports import PaymentStatus
from integrations.models import ErpState, OwnerInvoice, Payment, SubcontractorInvoice
from syncs.appliers.base import Invalid, Record, Scope, Tally, amount, date, moment, origin_id, text
from tenancy.bulk import update_objects

COMPARED = (
    "invoice_id",
    "owner_invoice_id",
    "project_id",
    "amount",
    "status",
    "payment_date",
    "method",
    "check_number",
    "payment_number",
    "changed_at",
)
STATUSES = frozenset(PaymentStatus)


def _invoices(scope: Scope, records: Sequence[Record]) -> dict[tuple[str, str], tuple[int, int]]:
    """(invoice type, ERP id) -> (invoice id, project id), for the invoices a batch pays."""
    wanted: dict[str, set[str]] = {"subcontractor_invoice": set(), "owner_invoice": set()}
    for record in records:
        kind = str(record.get("invoice_type") or "subcontractor_invoice")
        if kind in wanted and record.get("invoice"):
            wanted[kind].add(str(record["invoice"]))
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for key, path in (
        ("subcontractor_invoice", "commitment__project_id"),
        ("owner_invoice", "prime_contract__project_id"),
    ):
        model: Any = SubcontractorInvoice if key == "subcontractor_invoice" else OwnerInvoice
        if wanted[key]:
            rows = model.objects.filter(
                account=scope.account, origin_id__in=sorted(wanted[key])
            ).values_list("origin_id", "pk", path)
            found.update({(key, o): (pk, project) for o, pk, project in rows})
    return found


def _values(record: Record, invoices: dict[tuple[str, str], tuple[int, int]]) -> dict[str, Any]:
    kind = text(record, "invoice_type", limit=30) or "subcontractor_invoice"
    if kind not in ("subcontractor_invoice", "owner_invoice"):
        raise Invalid(f"invoice_type: {kind!r} is not subcontractor_invoice or owner_invoice.")
    invoice = text(record, "invoice", required=True, limit=100)
    if (kind, invoice) not in invoices:
        what = "subcontractor" if kind == "subcontractor_invoice" else "owner"
        raise Invalid(f"invoice: the {what} invoice {invoice} is not in the portal.")
    invoice_id, project_id = invoices[(kind, invoice)]
    status = text(record, "status", limit=10) or PaymentStatus.PAID
    if status not in STATUSES:
        raise Invalid(f"status: {status!r} is not partial, paid or void.")
    paid = amount(record)
    if paid <= 0:
        raise Invalid(f"amount: {paid} is not a positive amount.")
    changed = moment(record, "changed_at")
    if changed is None:
        raise Invalid("changed_at: missing (the order of a payment's versions).")
    return {
        "invoice_id": invoice_id if kind == "subcontractor_invoice" else None,
        "owner_invoice_id": invoice_id if kind == "owner_invoice" else None,
        "project_id": project_id,
        "amount": paid,
        "status": status,
        "payment_date": date(record, "paid_on"),
        "method": text(record, "method", limit=30),
        "check_number": text(record, "check_number", limit=30),
        "payment_number": text(record, "origin_code", limit=30),
        "changed_at": changed,
    }


def apply(scope: Scope, records: Sequence[Record]) -> Tally:
    tally, invoices = Tally(), _invoices(scope, records)
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        try:
            key, values = origin_id(record), _values(record, invoices)
        except Invalid as exc:
            tally.bad(record, str(exc))
            continue
        if key not in rows or values["changed_at"] > rows[key]["changed_at"]:
            rows[key] = values  # the newest version within the batch
        else:
            tally.unchanged += 1
    existing = {
        row["origin_id"]: row
        for row in Payment.objects.filter(account=scope.account, origin_id__in=list(rows)).values(
            "pk", "origin_id", *COMPARED
        )
    }
    now, new, changed = timezone.now(), [], []
    for key, values in rows.items():
        old = existing.get(key)
        if old is not None and old["changed_at"] and old["changed_at"] >= values["changed_at"]:
            tally.unchanged += 1  # a replay, or an older version arriving late
            continue
        payment = Payment(
            account=scope.account,
            origin_id=key,
            origin_code=values["payment_number"],
            erp_state=ErpState.SYNCED,
            erp_synced_at=now,
            **values,
        )
        if old is None:
            new.append(payment)
        else:
            payment.pk = old["pk"]
            changed.append(payment)
    Payment.objects.bulk_create(new)
    update_objects(
        changed, [f.removesuffix("_id") for f in COMPARED] + ["origin_code", "erp_synced_at"]
    )
    tally.created, tally.updated = len(new), len(changed)
    return tally
