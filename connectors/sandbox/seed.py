"""Put records into a sandbox ledger as if they had always been in the ERP (demo data), or as
the connector filed what the portal exported before."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.payloads import Payload
from connectors.sandbox.connector import FETCH_TABLES, TABLES, _name, as_json
from connectors.sandbox.models import LedgerRecord

# (ERP number, name, data, external reference: the idempotency key of an export, if one)
Row = tuple[str, str, dict[str, Any], str | None]


def ensure_records(ledger: str, kind: str, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
    """File each (ERP number, name, data) under ``kind`` (an object type of ``TABLES`` or a
    fetch kind of ``FETCH_TABLES``) unless the ledger has it; return how many were added. The
    new rows take one block of the ledger's revisions."""
    table = TABLES[kind] if kind in TABLES else FETCH_TABLES[kind]
    return _ensure(ledger, table, [(number, name, data, None) for number, name, data in rows])


def ensure_exports(ledger: str, exports: Iterable[tuple[str, str, str, Payload]]) -> int:
    """File each (object type, ERP number, idempotency key, payload) as
    :meth:`SandboxConnector.export` files an export (the payload with its type, under the
    key), unless the ledger has that number; in the order given (the ERP's ids grow with it).
    Returns how many were added."""
    by_table: dict[type[LedgerRecord], list[Row]] = {}
    for obj_type, number, key, payload in exports:
        data = {"type": obj_type, **as_json(payload)}
        by_table.setdefault(TABLES[obj_type], []).append((number, _name(payload), data, key))
    return sum(_ensure(ledger, table, rows) for table, rows in by_table.items())


def _ensure(ledger: str, table: type[LedgerRecord], rows: Iterable[Row]) -> int:
    rows = list(rows)
    have = set(
        table._default_manager.filter(
            ledger=ledger, number__in=[row[0] for row in rows]
        ).values_list("number", flat=True)
    )
    new = [
        table(ledger=ledger, number=number, name=name[:255], data=data, external_ref=key)
        for number, name, data, key in rows
        if number not in have
    ]
    table._default_manager.bulk_create(new)
    return len(new)
