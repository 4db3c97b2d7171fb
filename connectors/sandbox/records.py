"""The sandbox ledger's rows as the records ``fetch`` sends (:mod:`connectors.imports`).

A row's ``data`` is one of two things:

- what the ERP's own users filed (the console, the demo's ERP side, the harness): already the
  fetch kind's fields (``{"name": ..., "city": ...}``);
- what the portal exported (``{"type": <object type>, **payload}``): the payload is turned into
  the kind's fields here (a vendor's address, a job's project reference, a code's parent).

Either way a record carries every field of its kind (``None`` where the ERP does not know it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, Protocol

from connectors.imports import FetchKind

K = FetchKind
Data = Mapping[str, Any]


class LedgerRecord(Protocol):
    """What shaping reads of a ledger row: a model instance or a fetched :class:`Filed`."""

    @property
    def number(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def prefix(self) -> str: ...


class Filed(NamedTuple):
    """A ledger row as ``fetch`` reads it: its columns, no model instance (a million of those
    cost more than the rest of the fetch)."""

    number: str
    name: str
    data: Any
    updated_at: dt.datetime
    prefix: str


#: The columns a :class:`Filed` is read from (its fields less the table's ``prefix``).
FILED_COLUMNS = ("number", "name", "data", "updated_at")

FIELDS: dict[str, tuple[str, ...]] = {
    K.VENDORS: (
        "name",
        "tax_id",
        "email",
        "phone",
        "street",
        "city",
        "state_code",
        "zip",
        "country_code",
        "is_active",
    ),
    K.JOBS: (
        "name",
        "address",
        "city",
        "state_code",
        "zip",
        "country_code",
        "start_date",
        "completion_date",
        "estimated_value",
        "is_active",
    ),
    K.SUB_JOBS: ("job", "code", "name"),
    K.PRIME_CONTRACTS: ("job", "number", "title", "owner", "status", "lines"),
    K.BUDGETS: ("job", "name", "lines"),
    K.COST_TYPES: ("code", "name", "is_active"),
    K.STANDARD_COST_CODES: ("code", "full_code", "name", "parent", "is_active"),
    K.JOB_COST_TRANSACTIONS: (
        "job",
        "sub_job",
        "cost_code",
        "cost_type",
        "vendor",
        "amount",
        "reference_date",
        "post_date",
        "source_type",
        "source_document",
        "description",
    ),
    K.PAYMENTS: (
        "invoice_type",
        "invoice",
        "amount",
        "paid_on",
        "method",
        "check_number",
        "status",
    ),
}
# Master records the ERP can deactivate: active unless it says otherwise.
ACTIVE_BY_DEFAULT = ("is_active",)


def _vendor(payload: Data, row: LedgerRecord) -> dict[str, Any]:
    address = payload.get("address") or {}
    return {
        "name": payload.get("name") or row.name,
        "email": payload.get("email") or None,
        "phone": payload.get("phone") or None,
        **{key: address.get(key) or None for key in ("city", "state_code", "zip")},
        "street": address.get("street") or None,
        "country_code": address.get("country_code") or None,
        "is_active": payload.get("is_active", True),
    }


def _job(payload: Data, row: LedgerRecord) -> dict[str, Any]:
    address = payload.get("address") or {}
    return {
        "name": payload.get("name") or row.name,
        "address": address.get("street") or None,
        **{key: address.get(key) or None for key in ("city", "state_code", "zip")},
        "country_code": address.get("country_code") or None,
        "start_date": payload.get("start_date"),
        "completion_date": payload.get("completion_date"),
        "estimated_value": payload.get("estimated_value"),
        "is_active": True,
    }


def _sub_job(payload: Data, row: LedgerRecord) -> dict[str, Any]:
    return {"job": payload.get("project_ref"), "code": payload.get("code"), "name": row.name}


def _cost_code(payload: Data, row: LedgerRecord) -> dict[str, Any]:
    full_code = str(payload.get("full_code") or "")
    return {
        "code": full_code.partition("-")[2] or full_code,
        "full_code": full_code,
        "name": payload.get("name") or row.name,
        "parent": payload.get("parent_ref"),
        "is_active": True,
    }


def _budget(payload: Data, row: LedgerRecord) -> dict[str, Any]:
    lines = [
        {
            "origin_id": f"{row.number}-{line.get('position', i)}",
            "cost_code": line.get("cost_code_ref"),
            "cost_type": line.get("cost_type_ref"),
            "description": line.get("description", ""),
            "amount": line.get("amount"),
        }
        for i, line in enumerate(payload.get("lines") or (), 1)
    ]
    return {"job": payload.get("project_ref"), "name": row.name, "lines": lines}


# What a row the portal exported becomes, per its payload's object type.
FROM_PAYLOAD: dict[str, Callable[[Data, LedgerRecord], dict[str, Any]]] = {
    "company": _vendor,
    "project": _job,
    "sub_job": _sub_job,
    "cost_code": _cost_code,
    "budget": _budget,
}


def _code_of(row: LedgerRecord) -> str:
    """The code a row filed without one goes by: its number less the table's prefix."""
    return row.number.removeprefix(row.prefix)


def fields_of(kind: str, row: LedgerRecord) -> dict[str, Any]:
    """The kind's fields of ``row`` (without the common ones), whoever filed it."""
    data: Data = row.data if isinstance(row.data, Mapping) else {}
    convert = FROM_PAYLOAD.get(str(data.get("type", "")))
    values = convert(data, row) if convert is not None else dict(data)
    shaped = {name: values.get(name) for name in FIELDS[kind]}
    for name in ACTIVE_BY_DEFAULT:
        if name in shaped and shaped[name] is None:
            shaped[name] = True
    if "name" in shaped and not shaped["name"]:
        shaped["name"] = row.name
    if kind == K.COST_TYPES and not shaped["code"]:
        shaped["code"] = _code_of(row)
    if kind == K.STANDARD_COST_CODES and not shaped["full_code"]:
        shaped["full_code"] = _code_of(row)
    if kind == K.STANDARD_COST_CODES and not shaped["code"]:
        full_code = str(shaped["full_code"])
        shaped["code"] = full_code.partition("-")[2] or full_code
    return shaped


def record(kind: str, row: Filed) -> dict[str, Any]:
    """The record ``fetch`` sends for ``row``."""
    data: Data = row.data if isinstance(row.data, Mapping) else {}
    return {
        "origin_id": row.number,
        "origin_code": str(data.get("origin_code") or row.number),
        "changed_at": row.updated_at.isoformat(),
        **fields_of(kind, row),
    }
