"""The masters Tryton holds: vendors (parties), jobs and sub jobs (analytic accounts under the
Jobs root), standard cost codes (analytic accounts under the Cost Codes root).

Each is one stream ordered by the record's own ``last_modified_at``: a party renamed, a job
closed, a cost code moved comes again. The ``origin_id`` is what the exporters return for the
same Tryton record, so the portal recognises what it filed: a party's **code**, an analytic
account's **id**.
"""

from __future__ import annotations

from typing import Any

from connectors.tryton.books import Tryton
from connectors.tryton.imports.paging import LMT, ModelStream, Record, Row, Stream, stamp, sub

ANALYTIC = ("type", "in", ["normal", "view"])
ANALYTIC_FIELDS = ("code", "name", "state", "active", "parent", LMT)


def vendor_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    """Every party with a code but the company's own (owners too: the portal's companies)."""
    c, b = tryton.client, tryton.books
    (company,) = c.read("company.company", [b.company], ["party"])
    return [
        ModelStream(
            model="party.party",
            domain=[("code", "!=", None), ("id", "!=", company["party"])],
            key=LMT,
            fields=("code", "name", "active", "email", "phone", "tax_identifier.code", LMT),
            build=_vendors,
            counted=True,
            archived=True,  # sent with is_active False
        )
    ]


def _vendors(tryton: Tryton, rows: list[Row]) -> list[Record]:
    """The parties with their first address (one more search_read for the page)."""
    addresses = tryton.client.search_read(
        "party.address",
        [("party", "in", [r["id"] for r in rows])],
        ["party", "street", "city", "postal_code", "country.code", "subdivision.code"],
        order=[("party", "ASC"), ("sequence", "ASC"), ("id", "ASC")],
    )
    first: dict[int, Row] = {}
    for address in addresses:
        first.setdefault(address["party"], address)
    records = []
    for r in rows:
        address = first.get(r["id"], {})
        country = sub(address, "country").get("code") or None
        state = sub(address, "subdivision").get("code") or None
        if state and country and state.startswith(f"{country}-"):
            state = state[len(country) + 1 :]  # Tryton's "US-CO": the portal's "CO"
        street = " ".join((address.get("street") or "").split()) or None
        records.append(
            {
                "origin_id": r["code"],
                "origin_code": r["code"],
                "changed_at": stamp(r[LMT]),
                "name": r["name"],
                "tax_id": sub(r, "tax_identifier").get("code") or None,
                "email": r.get("email") or None,
                "phone": r.get("phone") or None,
                "street": street,
                "city": address.get("city") or None,
                "state_code": state,
                "zip": address.get("postal_code") or None,
                "country_code": country,
                "is_active": bool(r["active"]),
            }
        )
    return records


def job_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    """The analytic accounts right under the Jobs root (what the portal's projects become)."""
    return [
        _analytic(
            [("parent", "=", tryton.books.jobs_root), ANALYTIC],
            lambda r: {"name": r["name"], "is_active": _active(r)},
        )
    ]


def sub_job_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    """The analytic accounts under a job (children of the Jobs root's children)."""
    return [
        _analytic(
            [("parent.parent", "=", tryton.books.jobs_root), ANALYTIC],
            lambda r: {"job": str(r["parent"]), "code": r["code"] or "", "name": r["name"]},
        )
    ]


def cost_code_streams(tryton: Tryton, job: str | None) -> list[Stream]:
    """The analytic accounts under the Cost Codes root, at any depth; a division (right under
    the root) has no parent. Tryton keeps one code per account: it is both ``code`` and
    ``full_code``."""
    root = tryton.books.cost_codes_root

    def values(r: Row) -> dict[str, Any]:
        parent = r["parent"]
        return {
            "code": r["code"] or "",
            "full_code": r["code"] or "",
            "name": r["name"],
            "parent": str(parent) if parent and parent != root else None,
            "is_active": _active(r),
        }

    return [_analytic([("root", "=", root), ANALYTIC], values)]


def _analytic(domain: list[Any], values: Any) -> ModelStream:
    def build(tryton: Tryton, rows: list[Row]) -> list[Record]:
        return [
            {
                "origin_id": str(r["id"]),
                "origin_code": r["code"] or "",
                "changed_at": stamp(r[LMT]),
                **values(r),
            }
            for r in rows
        ]

    return ModelStream(
        model="analytic_account.account",
        domain=domain,
        key=LMT,
        fields=ANALYTIC_FIELDS,
        build=build,
        counted=True,
        archived=True,
    )


def _active(row: Row) -> bool:
    """Archived, or closed in Tryton: no longer active in the portal."""
    return bool(row["active"]) and row["state"] != "closed"
