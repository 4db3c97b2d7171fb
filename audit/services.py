"""Writing the audit trail: one way, for every change."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent


@dataclass(frozen=True)
class Change:
    """One audited change of one record. ``at``: when it happened, for history written after
    the fact (an import); a row cannot be redated once written."""

    account_id: int
    item_type: str
    item_id: int
    verb: str
    before: str = ""
    after: str = ""
    request_id: int | None = None
    reason: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


def audit_rows(actor: Any, changes: Iterable[Change]) -> list[AuditEvent]:
    """Write one row per change (one query), inside the caller's transaction."""
    now = timezone.now()
    rows = [
        AuditEvent(
            account_id=change.account_id,
            actor=actor if getattr(actor, "pk", None) else None,
            verb=change.verb,
            item_type=change.item_type,
            item_id=change.item_id,
            request_id=change.request_id,
            before=change.before,
            after=change.after,
            reason=change.reason,
            data=dict(change.data),
            created_at=change.at or now,
        )
        for change in changes
    ]
    if len(rows) >= MANY and connection.vendor == "postgresql":
        _insert_arrays(rows)
        return rows
    return AuditEvent.objects.bulk_create(rows)


# From this many rows on, PostgreSQL receives them as one array per column: a statement of a
# dozen parameters whatever the number of rows, where ``bulk_create`` sends (and Django
# prepares, value by value) a dozen parameters per row.
MANY = 50
_COLUMNS = (
    ("account_id", "bigint"),
    ("actor_id", "bigint"),
    ("verb", "text"),
    ("item_type", "text"),
    ("item_id", "bigint"),
    ("request_id", "bigint"),
    ("before", "text"),
    ("after", "text"),
    ("reason", "text"),
    ("data", "text"),  # JSON, cast to jsonb below
    ("created_at", "timestamptz"),
)


def _insert_arrays(rows: list[AuditEvent]) -> None:
    """``INSERT ... SELECT FROM unnest(...)`` of ``rows``, their ids set from ``RETURNING``."""
    encoder = AuditEvent._meta.get_field("data").encoder
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column, _ in _COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _, kind in _COLUMNS)
    picked = ", ".join(
        f"u.c{i}::jsonb" if name == "data" else f"u.c{i}" for i, (name, _) in enumerate(_COLUMNS)
    )
    aliases = ", ".join(f"c{i}" for i in range(len(_COLUMNS)))
    table = quote(AuditEvent._meta.db_table)
    values: list[list[Any]] = [
        [r.account_id for r in rows],
        [r.actor_id for r in rows],
        [r.verb for r in rows],
        [r.item_type for r in rows],
        [r.item_id for r in rows],
        [r.request_id for r in rows],
        [r.before for r in rows],
        [r.after for r in rows],
        [r.reason for r in rows],
        [json.dumps(r.data, cls=encoder) for r in rows],
        [r.created_at for r in rows],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {picked} "  # nosec B608  # names are the model's own
            f"FROM unnest({arrays}) WITH ORDINALITY AS u({aliases}, n) ORDER BY u.n RETURNING id",
            values,
        )
        ids = [pk for (pk,) in cursor.fetchall()]
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        row._state.adding = False
