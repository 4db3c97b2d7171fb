"""The queue's search and its sort by amount, by index on PostgreSQL.

Search is ``summary__<key>__icontains`` on four keys of the summary, which PostgreSQL runs as
``UPPER((summary ->> 'key')::text) LIKE UPPER('%word%')``: a trigram GIN index on exactly that
expression serves it. The sort by amount orders by ``(summary ->> 'amount')::double precision``
(approvals.selectors._sorted): one index per direction, within the account and state, with the
queue's tie-breakers. Other databases (SQLite in development and tests) keep scanning."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from tenancy.migration_ops import postgresql_indexes

SEARCHED = ("label", "number", "title", "vendor")  # approvals.selectors.SEARCHED
TABLE = "approvals_exportrequest"
AMOUNT = "((summary ->> 'amount')::double precision)"


def _statements() -> list[tuple[str, str]]:
    """(create, drop) for each index."""
    pairs = [
        (
            f"CREATE INDEX IF NOT EXISTS export_request_search_{key} ON {TABLE} "
            f"USING gin ((UPPER((summary ->> '{key}')::text)) gin_trgm_ops)",
            f"DROP INDEX IF EXISTS export_request_search_{key}",
        )
        for key in SEARCHED
    ]
    for name, direction in (("desc", "DESC NULLS LAST"), ("asc", "ASC NULLS LAST")):
        pairs.append(
            (
                f"CREATE INDEX IF NOT EXISTS export_request_amount_{name} ON {TABLE} "
                f"(account_id, state, {AMOUNT} {direction}, sent_at, id)",
                f"DROP INDEX IF EXISTS export_request_amount_{name}",
            )
        )
    return pairs


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0008_export_batch_index"),
    ]

    operations = [
        postgresql_indexes(_statements()),
    ]
