"""The job cost list by index on PostgreSQL (an account's ledger runs to millions of rows): its
sorts by amount, source and document, and its search (description, ERP id; the vendor's name is
asked on the companies' table, indexed by 0012). Other databases keep scanning."""

from __future__ import annotations

from django.db import migrations

from tenancy.migration_ops import postgresql_indexes

TABLE = "integrations_jobcosttransaction"
SORTED = ("amount", "source_type", "source_document")
SEARCHED = ("description", "origin_id")


def _statements() -> list[tuple[str, str]]:
    """(create, drop) for each index."""
    pairs = [
        (
            f"CREATE INDEX IF NOT EXISTS list_jobcost_{column} ON {TABLE} "
            f"(account_id, {column}, id)",
            f"DROP INDEX IF EXISTS list_jobcost_{column}",
        )
        for column in SORTED
    ]
    pairs += [
        (
            f"CREATE INDEX IF NOT EXISTS search_jobcost_{column} ON {TABLE} "
            f"USING gin ((UPPER(({column})::text)) gin_trgm_ops)",
            f"DROP INDEX IF EXISTS search_jobcost_{column}",
        )
        for column in SEARCHED
    ]
    return pairs


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0012_list_indexes"),
    ]

    operations = [
        postgresql_indexes(_statements()),
    ]
