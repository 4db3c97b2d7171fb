"""The record lists by index on PostgreSQL, at any size.

Every list is of one account's records: each default order and each sort a list offers gets an
index on the account then the sorted columns and the key (the tie-breaker that keeps pages
stable), walked forwards or backwards. A search is ``<column>__icontains``, which PostgreSQL
runs as ``UPPER(<column>::text) LIKE UPPER('%word%')``: a trigram GIN index on exactly that
expression serves it (a field of a referenced record is asked on that record's table:
:func:`integrations.kinds.base.contains`). Other databases (SQLite in development and tests)
keep scanning."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from tenancy.migration_ops import postgresql_indexes

# table -> the sorted column lists (each indexed after the account, before the key).
SORTED: dict[str, tuple[tuple[str, ...], ...]] = {
    "integrations_commitment": (
        ("project_id", "number"),  # the default order
        ("number",),
        ("title",),
        ("status",),
        ("kind",),
        ("erp_state",),
        ("contract_date",),
        ("erp_synced_at",),
        ("created_at",),
        ("updated_at",),
    ),
    "integrations_subcontractorinvoice": (
        ("commitment_id", "number"),  # the default order
        ("number",),
        ("billing_date",),
        ("status",),
        ("erp_state",),
        ("erp_synced_at",),
        ("created_at",),
        ("updated_at",),
    ),
    # The other lists' default orders.
    "integrations_primecontract": (("project_id", "number"),),
    "integrations_commitmentchangeorder": (("commitment_id", "number"),),
    "integrations_primecontractchangeorder": (("prime_contract_id", "number"),),
    "integrations_ownerinvoice": (("prime_contract_id", "application_number"),),
    "integrations_subjob": (("project_id", "code"),),
    "integrations_directcost": (("date",),),
    "integrations_jobcosttransaction": (("transaction_date",),),
    "integrations_payment": (("payment_date",),),
}
# table -> the text columns searched on it.
SEARCHED: dict[str, tuple[str, ...]] = {
    "integrations_commitment": ("number", "title"),
    "integrations_subcontractorinvoice": ("number",),
    "integrations_company": ("name",),
    "integrations_project": ("name", "number"),
}


def _short(table: str) -> str:
    return table.removeprefix("integrations_")[:20]


def _statements() -> list[tuple[str, str]]:
    """(create, drop) for each index."""
    pairs = []
    for table, sorts in SORTED.items():
        for columns in sorts:
            name = f"list_{_short(table)}_{'_'.join(columns)}"[:63]
            pairs.append(
                (
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                    f"(account_id, {', '.join(columns)}, id)",
                    f"DROP INDEX IF EXISTS {name}",
                )
            )
    for table, columns in SEARCHED.items():
        for column in columns:
            name = f"search_{_short(table)}_{column}"
            pairs.append(
                (
                    f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                    f"USING gin ((UPPER(({column})::text)) gin_trgm_ops)",
                    f"DROP INDEX IF EXISTS {name}",
                )
            )
    return pairs


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0011_value_ranges"),
    ]

    operations = [
        postgresql_indexes(_statements()),
    ]
