"""Commitments (subcontracts, purchase orders) as confirmed Tryton purchases."""

from __future__ import annotations

from typing import Any

from connectors.payloads import CommitmentPayload
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.base import (
    Pending,
    check_types,
    create_each,
    discard,
    finish,
    ids,
    press,
)
from connectors.tryton.exporters.documents import match_existing, resolve

MODEL = "purchase.purchase"
DONE_PURCHASE = ("confirmed", "processing", "done")


def export_purchases(tryton: Tryton, items: list[Pending]) -> None:
    items = check_types(items, CommitmentPayload, "commitment")
    if not items:
        return
    c, b = tryton.client, tryton.books
    party_of, job_of, codes_of = resolve(tryton, items, "vendor_ref", "the vendor")
    items = [i for i in items if i.open]
    if not items:
        return
    clauses: list[Any] = ["OR"]
    for item in items:
        clauses.append(m.marker_clause("comment", item.key))
        clauses.append(
            [
                ("reference", "=", item.payload.number),
                ("party", "=", party_of[id(item)].id),
                ("lines.analytic_accounts.account", "=", job_of[id(item)]),
            ]
        )
    rows = c.search_read(
        MODEL,
        [("state", "!=", "cancelled"), clauses],
        ["number", "state", "comment", "reference", "party"],
    )
    match_existing(
        items,
        rows,
        lambda i: i.payload.number,
        party_of,
        DONE_PURCHASE,
        what="purchase",
        whose="vendor and job",
    )

    create_each(
        c,
        MODEL,
        items,
        lambda i: m.purchase_values(
            i.payload, i.key, b, party_of[id(i)], job_of[id(i)], codes_of[id(i)]
        ),
    )
    open_items = [i for i in items if i.open and i.record is not None]
    if open_items:
        states = {r["id"]: r["state"] for r in c.read(MODEL, ids(open_items), ["state"])}
        drafts = [i for i in open_items if states.get(i.record) == "draft"]
        failed = press(c, MODEL, "quote", drafts)
        failed += press(c, MODEL, "confirm", [i for i in open_items if i.open])
        discard(c, MODEL, failed)
    finish(c, MODEL, items)
