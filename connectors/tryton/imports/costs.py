"""Job cost transactions: the posted analytic lines on the Jobs root booked to expense
accounts, one job (and its sub jobs) at a time.

A line has two clocks: its own (created, or edited: a user moves it to another sub job) and its
move's (a journal entry typed as a draft with its analytic lines and posted later). One stream
per clock (see :mod:`.paging`); a page costs four ``search_read`` (the lines, their Cost Codes
twins, their invoices, their invoice lines' descriptions), never one call per record.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from connectors.base import PermanentError
from connectors.imports import SourceType
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.analytic import analytic_refs
from connectors.tryton.imports.paging import (
    LMT,
    ModelStream,
    Record,
    Row,
    Stream,
    iso,
    stamp,
    sub,
    value_at,
)

MODEL = "account.invoice"
MOVE_LMT = "move_line.move.last_modified_at"
FIELDS = (
    "date",
    "debit",
    "credit",
    "account",
    "account.code",
    "account.parent",
    "move_line",
    "move_line.description",
    "move_line.party.code",
    "move_line.origin",
    "move_line.move.number",
    "move_line.move.date",
    "move_line.move.post_date",
    "move_line.move.origin",
    "move_line.move.description",
    LMT,
    MOVE_LMT,
)


def job_cost_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    """The streams of one job's costs (``job``: the job's origin id, or its code under Jobs),
    or of every job's (``job`` None)."""
    b = tryton.books
    job_id: int | None = None
    if job is None:
        scope: list[Any] = [("account.root", "=", b.jobs_root)]
    else:
        job_id = analytic_refs(tryton, {job}).get((job, b.jobs_root))
        if job_id is None:
            raise PermanentError(f"Tryton has no job {job!r} under Jobs.")
        scope = [("account", "child_of", [job_id], "parent")]
    domain = [
        *scope,
        ("move_line.move.state", "=", "posted"),
        ("move_line.account.type.expense", "=", True),
    ]
    build = partial(_costs, job=job, job_id=job_id)
    return [
        ModelStream("analytic_account.line", domain, LMT, FIELDS, build, lambda r: not _moved(r)),
        ModelStream("analytic_account.line", domain, MOVE_LMT, FIELDS, build, _moved),
    ]


def _moved(row: Row) -> bool:
    """The line's move changed after the line (posted later): the move's stream sends it."""
    moved, own = value_at(row, MOVE_LMT), row[LMT]
    return bool(moved and own and moved > own)


def _costs(tryton: Tryton, rows: list[Row], *, job: str | None, job_id: int | None) -> list[Record]:
    c, b = tryton.client, tryton.books
    twins = c.search_read(
        "analytic_account.line",
        [
            ("move_line", "in", sorted({r["move_line"] for r in rows})),
            ("account.root", "=", b.cost_codes_root),
        ],
        ["move_line", "account"],
    )
    cost_code_of = {t["move_line"]: t["account"] for t in twins}
    origins = {r["id"]: _origin_id(value_at(r, "move_line.move.origin"), MODEL) for r in rows}
    invoice_lines = {
        r["id"]: _origin_id(value_at(r, "move_line.origin"), "account.invoice.line") for r in rows
    }
    line_ids = sorted({i for i in invoice_lines.values() if i})
    described = {}
    if line_ids:
        described = {
            x["id"]: x["description"] or ""
            for x in c.search_read(
                "account.invoice.line", [("id", "in", line_ids)], ["description"]
            )
        }
    invoice_ids = sorted({i for i in origins.values() if i})
    invoices: dict[int, Row] = {}
    if invoice_ids:
        invoices = {
            inv["id"]: inv
            for inv in c.search_read(
                MODEL,
                [("id", "in", invoice_ids)],
                ["number", "type", "invoice_date", "party.code", "comment"],
            )
        }
    records = []
    for r in rows:
        line, account = sub(r, "move_line"), sub(r, "account")
        move = sub(line, "move")
        invoice = invoices.get(origins[r["id"]] or 0)
        if job_id is None:  # every job: a sub job's job is its parent
            parent = account.get("parent")
            on_sub_job = parent is not None and parent != b.jobs_root
            record_job, sub_job = str(parent if on_sub_job else r["account"]), on_sub_job
        else:
            record_job, sub_job = str(job), r["account"] != job_id
        code = cost_code_of.get(r["move_line"])
        vendor = sub(invoice, "party").get("code") if invoice else None
        records.append(
            {
                "origin_id": str(r["id"]),
                "origin_code": move.get("number") or "",
                "changed_at": stamp(r[LMT], move.get(LMT)),
                "job": record_job,
                "sub_job": str(r["account"]) if sub_job else None,
                "cost_code": str(code) if code else None,
                "cost_type": None,  # Tryton has no cost types
                "vendor": vendor or sub(line, "party").get("code") or None,
                "amount": str(m.money(r["debit"]) - m.money(r["credit"])),
                "reference_date": iso((invoice or {}).get("invoice_date") or move.get("date")),
                "post_date": iso(move.get("post_date") or move.get("date") or r["date"]),
                "source_type": _source(invoice),
                "source_document": ((invoice or {}).get("number") or move.get("number") or ""),
                "description": (
                    line.get("description")
                    or described.get(invoice_lines[r["id"]] or 0)
                    or move.get("description")
                    or ""
                ),
            }
        )
    return records


def _source(invoice: Row | None) -> str:
    """A supplier invoice the portal filed (its comment carries the portal reference) is a
    subcontractor invoice; another supplier invoice an AP invoice; any other entry (a journal
    entry typed in Tryton) the general ledger."""
    if invoice is None or invoice.get("type") != "in":
        return str(SourceType.GENERAL_LEDGER)
    if m.any_marker(invoice.get("comment")):
        return str(SourceType.SUBCONTRACTOR_INVOICE)
    return str(SourceType.AP_INVOICE)


def _origin_id(origin: Any, model: str) -> int | None:
    """The id of an origin (``"account.invoice,12"``) if it is a record of ``model``."""
    if isinstance(origin, str) and origin.startswith(f"{model},"):
        return m.ref_id(origin.split(",", 1)[1])
    return None
