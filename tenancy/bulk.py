"""Updating many rows, each with values of its own, in one plain statement.

Django's ``bulk_update`` writes ``CASE WHEN pk = 1 THEN ... WHEN pk = 2 THEN ...`` for every
column, so its SQL grows with rows x columns and PostgreSQL plans every branch (thousands of rows
took it minutes). :func:`update_each` joins the table on a ``VALUES`` list instead
(``UPDATE t SET c = v.column2 FROM (VALUES (1, 'a'), ...) AS v WHERE t.id = v.column1``),
which PostgreSQL and SQLite (3.33+) both run as one join.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Field, Model
from django.db.models.lookups import In

BATCH = 1_000  # rows per statement: well within either database's limit on parameters


@Field.register_lookup
class Among(In):
    """``filter(pk__among=ids)``: ``IN``, sent to PostgreSQL as one array parameter
    (``id = ANY(%s)``) instead of one parameter per id, so selecting thousands of rows by key
    costs one value to adapt, not thousands (``IN`` elsewhere)."""

    lookup_name = "among"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Sequence[Any]]:
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection) for v in self.rhs if v is not None]
        if not values:
            raise EmptyResultSet
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


def update_each(model: type[Model], rows: Mapping[Any, Mapping[str, Any]], **same: Any) -> int:
    """Set each row's own values (``rows``: ``{pk: {field: value}}``, the same fields for every
    row) and ``same`` on all of them; returns how many rows were updated."""
    if not rows:
        return 0
    if not same and not next(iter(rows.values())):
        return 0
    updated = 0
    items = iter(rows.items())
    while chunk := dict(islice(items, BATCH)):
        updated += _update(model, chunk, same)
    return updated


def update_objects(objs: Sequence[Model], fields: Sequence[str]) -> int:
    """Django's ``bulk_update(objs, fields)`` without its CASE: each object's ``fields`` as they
    are in memory, in statements of at most :data:`BATCH` rows."""
    if not objs:
        return 0
    model = type(objs[0])
    columns = {name: _field(model, name).attname for name in fields}
    rows = {obj.pk: {name: getattr(obj, att) for name, att in columns.items()} for obj in objs}
    return update_each(model, rows)


def _update(
    model: type[Model], rows: Mapping[Any, Mapping[str, Any]], same: Mapping[str, Any]
) -> int:
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    own = [_field(model, name) for name in next(iter(rows.values()))]
    key = model._meta.pk
    assert key is not None

    def joined(name: str, field: Field[Any, Any]) -> str:
        # PostgreSQL types a VALUES column by its literals (all NULLs would be text): cast it.
        cast = field.cast_db_type(connection) if connection.vendor == "postgresql" else None
        return f"v.{name}::{cast}" if cast else f"v.{name}"

    # The VALUES list's columns are column1 (the key), column2, ... in either database.
    assignments = [
        f"{quote(str(f.column))} = {joined(f'column{i}', f)}" for i, f in enumerate(own, start=2)
    ]
    params: list[Any] = []
    for name, given in same.items():
        field = _field(model, name)
        assignments.append(f"{quote(str(field.column))} = %s")
        params.append(field.get_db_prep_save(given, connection))
    for pk, values in rows.items():
        params.append(key.get_db_prep_value(pk, connection))
        params.extend(f.get_db_prep_save(values[f.name], connection) for f in own)
    placeholders = ", ".join(["%s"] * (1 + len(own)))
    table = quote(model._meta.db_table)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "  # nosec B608  # the model's own names, quoted; values are parameters
        f"FROM (VALUES {', '.join([f'({placeholders})'] * len(rows))}) AS v "
        f"WHERE {table}.{quote(str(key.column))} = {joined('column1', key)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column.")
    return field
