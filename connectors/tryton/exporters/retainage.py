"""The entry moving an owner invoice's retainage (held and released this period), attached to
the invoice."""

from __future__ import annotations

import datetime
from typing import Any

from connectors.base import ConnectorError, PermanentError
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.base import Pending, ids


def attach_retainage(tryton: Tryton, items: list[Pending], party_of: dict[int, m.Party]) -> None:
    """For customer invoices: the entry moving the period's retainage, created, posted and
    attached to each invoice in one call each (once: an invoice that has it is skipped)."""
    c, b = tryton.client, tryton.books
    todo = [
        i
        for i in items
        if not isinstance(i.outcome, ConnectorError)
        and i.record is not None
        and len(set(m.retainage(i.payload.lines))) > 1  # held != released
    ]
    if not todo:
        return
    rows = c.read("account.invoice", ids(todo), ["additional_moves", "state"])
    has = {r["id"]: bool(r["additional_moves"]) for r in rows}
    todo = [i for i in todo if not has.get(i.record)]
    if not todo:
        return
    origins = [f"account.invoice,{i.rid}" for i in todo]
    existing = c.search_read(
        "account.move",
        [("origin", "in", origins), ("journal", "=", b.general_journal)],
        ["origin", "state"],
    )
    moves: dict[int, int] = {}
    for row in existing:
        moves[int(str(row["origin"]).split(",")[1])] = row["id"]
    dates = [i.payload.billing_date for i in todo]
    periods = c.search_read(
        "account.period",
        [
            ("type", "=", "standard"),
            ("start_date", "<=", max(dates)),
            ("end_date", ">=", min(dates)),
            ("fiscalyear.company", "=", b.company),
        ],
        ["start_date", "end_date"],
    )

    def period_of(day: datetime.date) -> int:
        for p in periods:
            if p["start_date"] <= day <= p["end_date"]:
                return int(p["id"])
        raise PermanentError(f"Tryton has no open period for {day}.")

    new: list[tuple[Pending, dict[str, Any]]] = []
    for item in todo:
        if item.rid in moves:
            continue
        try:
            values = m.retainage_move_values(
                item.payload,
                b,
                party_of[id(item)],
                period_of(item.payload.billing_date),
                item.rid,
            )
        except PermanentError as exc:
            item.outcome = exc
            continue
        if values:
            new.append((item, values))
    if new:
        created = c.create("account.move", [v for _, v in new])
        for (item, _), move in zip(new, created, strict=True):
            moves[item.rid] = move
    posted = {r["id"] for r in existing if r["state"] == "posted"}
    to_post = [moves[i.rid] for i in todo if i.rid in moves and moves[i.rid] not in posted]
    if to_post:
        c.button("account.move", "post", to_post)
    args: list[Any] = []
    for item in todo:
        move = moves.get(item.rid, 0)
        if move and not isinstance(item.outcome, ConnectorError):
            args += [[item.rid], {"additional_moves": [["add", [move]]]}]
    if args:
        c.model("account.invoice", "write", *args)
