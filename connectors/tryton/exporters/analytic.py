"""Projects (jobs), sub jobs and cost codes as analytic accounts under the Jobs and Cost Codes
roots."""

from __future__ import annotations

from typing import Any

from connectors.base import ExportResult, ObjectType, PermanentError
from connectors.payloads import CostCodePayload, ProjectPayload, SubJobPayload
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.base import Pending, check_types, create_each

T = ObjectType
ANALYTIC_TYPES: dict[str, str] = {T.PROJECT: "job", T.SUB_JOB: "sub job", T.COST_CODE: "cost code"}
PAYLOADS: dict[str, type] = {
    T.PROJECT: ProjectPayload,
    T.SUB_JOB: SubJobPayload,
    T.COST_CODE: CostCodePayload,
}


def export_analytic(tryton: Tryton, items: list[Pending], *, obj_type: str) -> None:
    items = check_types(items, PAYLOADS[obj_type], ANALYTIC_TYPES[obj_type])
    if not items:
        return
    client = tryton.client
    refs = analytic_refs(
        tryton,
        {getattr(i.payload, "project_ref", None) for i in items}
        | {getattr(i.payload, "parent_ref", None) for i in items},
    )
    plans = {id(i): _plan(tryton.books, obj_type, i, refs) for i in items}
    for item in items:
        root, parent, code = plans[id(item)]
        if not code:
            item.outcome = PermanentError("Tryton needs a code for the analytic account.")
        elif parent is None:
            what = "job" if obj_type == T.SUB_JOB else "parent cost code"
            ref = item.payload.project_ref if obj_type == T.SUB_JOB else item.payload.parent_ref
            item.outcome = PermanentError(f"Tryton has no {what} {ref!r}.")
    items = [i for i in items if i.open]
    if not items:
        return
    clauses: list[Any] = ["OR"]
    for item in items:
        root, parent, code = plans[id(item)]
        clauses.append(m.marker_clause("note", item.key))
        clauses.append([("root", "=", root), ("parent", "=", parent), ("code", "=", code)])
    rows = client.search_read(
        "analytic_account.account", [clauses], ["code", "note", "root", "parent"]
    )
    for item in items:
        root, parent, code = plans[id(item)]
        mine = [r for r in rows if m.has_marker(r.get("note"), item.key)]
        same = [r for r in rows if (r["root"], r["parent"], r["code"]) == (root, parent, code)]
        row = next(iter(mine or same), None)
        if row is not None:
            item.outcome = ExportResult(str(row["id"]), row["code"] or "")

    def values(item: Pending) -> dict[str, Any]:
        root, parent, _ = plans[id(item)]
        assert parent is not None
        if obj_type == T.PROJECT:
            return m.project_values(item.payload, item.key, root)
        if obj_type == T.SUB_JOB:
            return m.sub_job_values(item.payload, item.key, root, parent)
        return m.cost_code_values(item.payload, item.key, root, parent)

    create_each(client, "analytic_account.account", items, values)
    for item in items:
        if item.open and item.record is not None:
            item.outcome = ExportResult(str(item.record), plans[id(item)][2])


def analytic_refs(tryton: Tryton, refs: set[str | None]) -> dict[tuple[str, int], int]:
    """The analytic accounts the portal refers to, in one search: ``{(ref, root): id}``.
    A reference is the id the connector returned, or a code (a job or cost code Tryton
    already had, linked by its code; the lowest id wins when a code repeats)."""
    b = tryton.books
    wanted = {r for r in refs if r}
    if not wanted:
        return {}
    ids = sorted({i for r in wanted if (i := m.ref_id(r)) is not None})
    codes = sorted(r for r in wanted if m.ref_id(r) is None)
    rows = tryton.client.search_read(
        "analytic_account.account",
        [
            ("root", "in", [b.jobs_root, b.cost_codes_root]),
            ("type", "in", ["normal", "view"]),
            ["OR", ("id", "in", ids), ("code", "in", codes)],
        ],
        ["code", "root"],
        order=[("id", "ASC")],
    )
    found: dict[tuple[str, int], int] = {}
    for row in rows:
        found[(str(row["id"]), row["root"])] = row["id"]
        if row["code"] in wanted:
            found.setdefault((row["code"], row["root"]), row["id"])
    return found


def _plan(
    b: m.Books, obj_type: str, item: Pending, refs: dict[tuple[str, int], int]
) -> tuple[int, int | None, str]:
    """(root, parent, code) of the analytic account for ``item`` (parent None: unknown)."""
    p = item.payload
    if obj_type == T.PROJECT:
        return b.jobs_root, b.jobs_root, m.job_code(p)
    if obj_type == T.SUB_JOB:
        return b.jobs_root, refs.get((p.project_ref or "", b.jobs_root)), p.code.strip()
    parent: int | None = b.cost_codes_root
    if p.parent_ref:
        parent = refs.get((p.parent_ref, b.cost_codes_root))
    return b.cost_codes_root, parent, p.full_code.strip()
