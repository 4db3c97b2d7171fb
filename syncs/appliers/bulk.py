"""Upserting a batch of rows by ERP id in one round of statements.

On PostgreSQL the rows go to a temporary table with ``COPY`` and then into the real table with
one ``INSERT ... ON CONFLICT (account_id, origin_id) DO UPDATE ... WHERE <something changed>``,
which answers which rows were inserted and which updated (a row left as it was is neither).
That is about PostgreSQL's own ``COPY`` speed, and builds no model instances. Elsewhere
(SQLite), the ORM: one query for the rows already there, ``bulk_create`` and ``bulk_update``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from psycopg import sql


def upsert(
    model: type[Model], rows: Sequence[Mapping[str, Any]], compared: Sequence[str]
) -> tuple[int, int]:
    """Insert ``rows`` (column attribute names -> values, ``account_id`` and ``origin_id``
    among them) or update the row of the same account and ERP id where a ``compared`` column
    differs. Answers (inserted, updated)."""
    if not rows:
        return 0, 0
    if connection.vendor == "postgresql":
        return _upsert_postgres(model, rows, compared)
    return _upsert_orm(model, rows, compared)


def _upsert_postgres(
    model: type[Model], rows: Sequence[Mapping[str, Any]], compared: Sequence[str]
) -> tuple[int, int]:
    table = model._meta.db_table
    columns = list(rows[0])
    staging = sql.Identifier(f"_sync_{table}")
    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    changed = [c for c in compared if c in columns]
    updates = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c))
        for c in [*changed, "erp_synced_at", "updated_at"]
        if c in columns
    )
    differs = sql.SQL(" OR ").join(
        sql.SQL("t.{0} IS DISTINCT FROM EXCLUDED.{0}").format(sql.Identifier(c)) for c in changed
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(
            sql.SQL(
                "CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DELETE ROWS "
                "AS SELECT {names} FROM {table} WITH NO DATA"
            ).format(staging=staging, names=names, table=sql.Identifier(table))
        )
        with raw.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, names)) as copy:
            for row in rows:
                copy.write_row([_plain(row[c]) for c in columns])
        raw.execute(
            sql.SQL(
                "INSERT INTO {table} AS t ({names}) SELECT {names} FROM {staging} "
                "ON CONFLICT (account_id, origin_id) WHERE origin_id IS NOT NULL "
                "DO UPDATE SET {updates} WHERE {differs} "
                "RETURNING (xmax = 0)"
            ).format(
                table=sql.Identifier(table),
                names=names,
                staging=staging,
                updates=updates,
                differs=differs,
            )
        )
        inserted = [flag for (flag,) in raw.fetchall()]
        raw.execute(sql.SQL("TRUNCATE {}").format(staging))
    created = sum(1 for flag in inserted if flag)
    return created, len(inserted) - created


def _plain(value: Any) -> Any:
    """A value ``COPY`` takes: JSON as text."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def _upsert_orm(
    model: type[Model], rows: Sequence[Mapping[str, Any]], compared: Sequence[str]
) -> tuple[int, int]:
    manager = model._default_manager
    account_id = rows[0]["account_id"]
    existing = {
        found["origin_id"]: found
        for found in manager.filter(
            account_id=account_id, origin_id__in=[row["origin_id"] for row in rows]
        ).values("pk", "origin_id", *compared)
    }
    new, changed = [], []
    for row in rows:
        old = existing.get(row["origin_id"])
        if old is None:
            new.append(model(**row))
        elif any(old[c] != row[c] for c in compared):
            updated = model(**row)
            updated.pk = old["pk"]
            changed.append(updated)
    manager.bulk_create(new, batch_size=1000)
    fields = [c.removesuffix("_id") for c in compared] + ["erp_synced_at", "updated_at"]
    manager.bulk_update(changed, fields, batch_size=1000)
    return len(new), len(changed)
