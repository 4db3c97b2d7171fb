"""Put records into a sandbox ledger as if they had always been in the ERP (demo data)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from connectors.sandbox.connector import FETCH_TABLES, TABLES


def ensure_records(ledger: str, kind: str, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
    """File each (ERP number, name, data) under ``kind`` (an object type of ``TABLES`` or a
    fetch kind of ``FETCH_TABLES``) unless the ledger has it; return how many were added. The
    new rows take one block of the ledger's revisions."""
    table = TABLES[kind] if kind in TABLES else FETCH_TABLES[kind]
    rows = list(rows)
    have = set(
        table._default_manager.filter(
            ledger=ledger, number__in=[n for n, _, _ in rows]
        ).values_list("number", flat=True)
    )
    new = [
        table(ledger=ledger, number=number, name=name[:255], data=data)
        for number, name, data in rows
        if number not in have
    ]
    table._default_manager.bulk_create(new)
    return len(new)
