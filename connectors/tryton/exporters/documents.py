"""What purchases and invoices share: their party, job and cost codes, and the records Tryton
already has for them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from connectors.base import ExportResult, PermanentError
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.analytic import analytic_refs
from connectors.tryton.exporters.base import Pending
from connectors.tryton.exporters.parties import parties_by_code


def resolve(
    tryton: Tryton, items: list[Pending], party_attr: str, what: str
) -> tuple[dict[int, m.Party], dict[int, int], dict[int, list[int]]]:
    """The party (by code), the job and the lines' cost codes (analytic ids) of each item,
    in two searches; items whose references Tryton lacks fail."""
    b = tryton.books
    codes = [getattr(i.payload, party_attr) or "" for i in items]
    parties = parties_by_code(tryton.client, [x for x in codes if x])
    refs = analytic_refs(
        tryton,
        {i.payload.project_ref for i in items}
        | {line.cost_code_ref for i in items for line in i.payload.lines},
    )
    party_of: dict[int, m.Party] = {}
    job_of: dict[int, int] = {}
    cost_codes_of: dict[int, list[int]] = {}
    for item, code in zip(items, codes, strict=True):
        p = item.payload
        job = refs.get((p.project_ref or "", b.jobs_root))
        codes_of = [refs.get((line.cost_code_ref or "", b.cost_codes_root)) for line in p.lines]
        if code not in parties:
            item.outcome = PermanentError(f"Tryton has no party with code {code!r} ({what}).")
        elif job is None:
            item.outcome = PermanentError(f"Tryton has no job {p.project_ref!r} under Jobs.")
        elif None in codes_of:
            line = p.lines[codes_of.index(None)]
            item.outcome = PermanentError(
                f"Line {line.position}: Tryton has no cost code {line.cost_code_ref!r} "
                "under Cost Codes."
            )
        else:
            party_of[id(item)] = parties[code]
            job_of[id(item)] = job
            cost_codes_of[id(item)] = [c for c in codes_of if c is not None]
    return party_of, job_of, cost_codes_of


def match_existing(
    items: list[Pending],
    rows: list[dict[str, Any]],
    reference: Callable[[Pending], str],
    party_of: dict[int, m.Party],
    done: Sequence[str],
    what: str,
    whose: str,
) -> None:
    """Take up the records Tryton already has (``rows``, each with its comment, reference,
    party, state and number): the one carrying the item's portal reference, else one with the
    item's reference and party. One filed for another portal record fails the item (a ``what``
    with that reference for this ``whose``); one that is ``done``, or that a user typed in, is
    the answer; a draft of ours is resumed (its id is kept, the item stays open)."""
    for item in items:
        ref = reference(item)
        mine = [r for r in rows if m.has_marker(r.get("comment"), item.key)]
        same = [r for r in rows if r["reference"] == ref and r["party"] == party_of[id(item)].id]
        row = next(iter(mine or same), None)
        if row is None:
            continue
        if not mine and m.any_marker(row.get("comment")):
            item.outcome = PermanentError(
                f"Tryton already has {what} {row['number'] or row['id']} with reference "
                f"{ref} for this {whose}, from another portal record."
            )
            continue
        item.record, item.ours = row["id"], bool(mine)
        if row["state"] in done or not mine:
            item.outcome = ExportResult(str(row["id"]), row["number"] or "")
