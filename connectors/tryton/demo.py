"""Records Tryton's users had before the portal came: what the demo needs to start with
vendors, jobs, sub jobs and cost codes that are already synced."""

from __future__ import annotations

from collections.abc import Iterable

from connectors.base import PermanentError
from connectors.tryton import mapping as m
from connectors.tryton.books import Tryton
from connectors.tryton.exporters.analytic import analytic_refs
from connectors.tryton.exporters.parties import parties_by_code


def ensure_records(tryton: Tryton, kind: str, rows: Iterable[tuple[str, str, str | None]]) -> int:
    """File records unless Tryton has them: ``(code, name, parent code)`` each, the code being
    the portal's ERP id. Companies become parties with that code; projects, sub jobs (under
    their job's code) and cost codes become analytic accounts with that code, which the
    connector accepts as references. Returns how many it created."""
    c, b = tryton.client, tryton.books
    rows = [(code, name, parent) for code, name, parent in rows if code]
    if not rows:
        return 0
    if kind == "company":
        have = set(parties_by_code(c, [code for code, _, _ in rows]))
        new = [
            {"name": name or code, "code": code, "addresses": [["create", [{}]]]}
            for code, name, _ in rows
            if code not in have
        ]
        if new:
            c.create("party.party", new)
        return len(new)
    roots: dict[str, int] = {
        "project": b.jobs_root,
        "sub_job": b.jobs_root,
        "cost_code": b.cost_codes_root,
    }
    if kind not in roots:
        raise PermanentError(f"Tryton keeps no {kind} records for the portal.")
    root = roots[kind]
    wanted: set[str | None] = {code for code, _, _ in rows}
    refs = analytic_refs(tryton, wanted | {p for _, _, p in rows})
    new = []
    for code, name, parent_code in rows:
        if (code, root) in refs:
            continue
        parent = refs.get((parent_code, root)) if parent_code else root
        if parent is None:
            raise PermanentError(f"Tryton has no {parent_code!r} to file {code!r} under.")
        new.append(
            m.analytic_values(name=name or code, code=code, root=root, parent=parent, note="")
        )
    if new:
        c.create("analytic_account.account", new)
    return len(new)
