"""Subcontractor invoices (supplier, ``in``) and owner invoices (customer, ``out``) as posted
Tryton invoices."""

from __future__ import annotations

from typing import Any

from connectors.base import ConnectorError, ExportResult, ObjectType, PermanentError
from connectors.payloads import InvoicePayload
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.client import TrytonClient, TrytonWarning
from connectors.tryton.exporters.base import Pending, check_types, create_each, discard, finish, ids
from connectors.tryton.exporters.documents import match_existing, resolve
from connectors.tryton.exporters.retainage import attach_retainage

T = ObjectType
MODEL = "account.invoice"
INVOICE_KINDS: dict[str, str] = {T.SUBCONTRACTOR_INVOICE: "in", T.OWNER_INVOICE: "out"}
DONE_INVOICE = ("posted", "paid")


def export_invoices(tryton: Tryton, items: list[Pending], *, kind: str) -> None:
    items = check_types(items, InvoicePayload, "invoice")
    if not items:
        return
    c, b = tryton.client, tryton.books
    party_of, job_of, codes_of = resolve(
        tryton, items, "party_ref", "the vendor" if kind == "in" else "the owner"
    )
    items = [i for i in items if i.open]
    if not items:
        return
    clauses: list[Any] = ["OR"]
    for item in items:
        clauses.append(m.marker_clause("comment", item.key))
        clauses.append(
            [
                ("party", "=", party_of[id(item)].id),
                ("reference", "=", m.invoice_reference(item.payload)),
            ]
        )
    rows = c.search_read(
        MODEL,
        [("type", "=", kind), ("state", "!=", "cancelled"), clauses],
        ["number", "state", "comment", "reference", "party", "additional_moves"],
    )
    match_existing(
        items,
        rows,
        lambda i: m.invoice_reference(i.payload),
        party_of,
        DONE_INVOICE,
        what="invoice",
        whose="party",
    )

    def values(item: Pending) -> dict[str, Any]:
        return m.invoice_values(
            item.payload,
            item.key,
            b,
            party_of[id(item)],
            job_of[id(item)],
            kind=kind,
            cost_codes=codes_of[id(item)],
        )

    create_each(c, MODEL, items, values)
    for item in items:
        item.ours = item.ours or (item.open and item.record is not None)
    post_invoices(c, [i for i in items if i.open and i.record is not None])
    if kind == "out":  # also for an invoice an earlier attempt posted
        attach_retainage(tryton, [i for i in items if i.ours], party_of)
    finish(c, MODEL, items)


def post_invoices(client: TrytonClient, items: list[Pending]) -> None:
    """Post the drafts in one call. Tryton's "similar invoice" warning means the invoice is
    there already (typed in by hand, or filed by an earlier attempt): the draft is deleted
    and the existing invoice is the answer; a similar invoice that was cancelled is not, and
    the warning is acknowledged (as a user would) before posting again. If Tryton refuses
    the batch for another reason, the invoices are posted one by one, so a refused invoice
    fails alone (and its draft is deleted)."""
    pending = [i for i in items if i.open]
    while pending:
        try:
            client.button(MODEL, "post", ids(pending))
            return
        except TrytonWarning as warning:
            if not (_similar(warning) and _settle_similar(client, pending, warning)):
                break
        except PermanentError:
            break
        pending = [i for i in pending if i.open]
    for item in pending:
        _post_one(client, item)


def _similar(warning: TrytonWarning) -> bool:
    return warning.name.endswith("invoice_similar")


def _post_one(client: TrytonClient, item: Pending) -> None:
    for _ in range(3):
        if not item.open:
            return
        try:
            client.button(MODEL, "post", [item.rid])
            return
        except TrytonWarning as warning:
            if _similar(warning) and _settle_similar(client, [item], warning):
                continue
            item.outcome = warning
        except PermanentError as exc:
            item.outcome = exc
        break
    if item.open:
        item.outcome = PermanentError("Tryton kept refusing to post this invoice.")
    if isinstance(item.outcome, ConnectorError):
        discard(client, MODEL, [item])


def _settle_similar(client: TrytonClient, pending: list[Pending], warning: TrytonWarning) -> bool:
    """Deal with the drafts Tryton finds similar to existing invoices. True if something was
    settled (so posting again may pass)."""
    c = client
    drafts = c.read(MODEL, ids(pending), ["party", "reference", "type"])
    by_id = {r["id"]: r for r in drafts}
    clauses: list[Any] = ["OR"]
    for r in drafts:
        if r["reference"]:
            clauses.append(
                [
                    ("party", "=", r["party"]),
                    ("reference", "=", r["reference"]),
                    ("type", "=", r["type"]),
                ]
            )
    if len(clauses) == 1:
        return False
    others = c.search_read(
        MODEL,
        [("id", "not in", list(by_id)), clauses],
        ["party", "reference", "state", "number", "comment", "type"],
    )
    settled = False
    acknowledged = False
    for item in pending:
        draft = by_id[item.rid]
        similar = [
            o
            for o in others
            if (o["party"], o["reference"], o["type"])
            == (draft["party"], draft["reference"], draft["type"])
        ]
        if not similar:
            continue
        live = [o for o in similar if o["state"] != "cancelled"]
        ours_or_manual = [
            o
            for o in live
            if m.has_marker(o["comment"], item.key) or not m.any_marker(o["comment"])
        ]
        if ours_or_manual and ours_or_manual[0]["state"] in DONE_INVOICE:
            found = ours_or_manual[0]
            discard(c, MODEL, [item])
            item.record = found["id"]
            item.outcome = ExportResult(str(found["id"]), found["number"] or "")
            settled = True
        elif live:
            item.outcome = PermanentError(warning.message)
            discard(c, MODEL, [item])
            settled = True
        elif not acknowledged:
            # Only cancelled invoices are similar: say yes to this warning, once.
            c.context  # noqa: B018 (logged in: user_id is known)
            c.create(
                "res.user.warning", [{"user": c.user_id, "name": warning.name, "always": False}]
            )
            acknowledged = settled = True
    return settled
