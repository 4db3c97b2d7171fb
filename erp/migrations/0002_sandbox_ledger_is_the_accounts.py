# The sandbox ERP's ledger is no longer a setting: the portal files an account's records under
# the account's own key (its slug, erp.connections.account_key). The stored "ledger" settings
# go; one that named another account's ledger reaches it no more. A ledger of another name that
# only one connection used, and whose records cannot clash with the account's own (its own
# ledger is still empty), moves to the account's key with its revision counter, so an account
# that had chosen a name of its own keeps its sandbox records. Any other ledger stays where it
# is: an account's ledger stays that account's; a name several connections shared is no one's.

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import migrations

LEDGER_TABLES = (
    "Vendor",
    "Job",
    "SubJob",
    "CostCode",
    "CostType",
    "Budget",
    "PrimeContract",
    "Commitment",
    "ChangeOrder",
    "Invoice",
    "Payment",
    "JobCostTransaction",
)


def _move(apps: Any, source: str, target: str) -> None:
    tables = [apps.get_model("connectors", name) for name in LEDGER_TABLES]
    counter = apps.get_model("connectors", "LedgerCounter")
    if counter.objects.filter(ledger=target).exists() or any(
        table.objects.filter(ledger=target).exists() for table in tables
    ):
        return  # the account's own ledger has records: numbers and revisions could clash
    for table in tables:  # the rows keep their revisions: their counter moves with them
        table._base_manager.filter(ledger=source).update(ledger=target)
    counter._base_manager.filter(ledger=source).update(ledger=target)


def ledgers_to_accounts(apps: Any, schema_editor: Any) -> None:
    connection_model = apps.get_model("erp", "ErpConnection")
    account_model = apps.get_model("tenancy", "Account")
    accounts = set(account_model.objects.values_list("slug", flat=True))
    used_by: defaultdict[str, list[str]] = defaultdict(list)
    for connection in connection_model.objects.select_related("account"):
        if "ledger" not in connection.settings:
            continue
        ledger = str(connection.settings.pop("ledger") or "")
        connection.save(update_fields=["settings"])
        if connection.connector_key == "sandbox" and ledger:
            used_by[ledger].append(connection.account.slug)
    for ledger, users in used_by.items():
        if ledger not in accounts and len(users) == 1:
            _move(apps, ledger, users[0])


def ledgers_back_to_settings(apps: Any, schema_editor: Any) -> None:
    """The code before this migration read the ledger from the settings: each sandbox
    connection gets its account's own (records moved forward stay with the account)."""
    connection_model = apps.get_model("erp", "ErpConnection")
    for connection in connection_model.objects.filter(connector_key="sandbox").select_related(
        "account"
    ):
        connection.settings = {**connection.settings, "ledger": connection.account.slug}
        connection.save(update_fields=["settings"])


class Migration(migrations.Migration):
    dependencies = [
        ("erp", "0001_initial"),
        ("tenancy", "0003_advanced_settings"),
        ("connectors", "0002_ledger_revisions"),
    ]

    operations = [migrations.RunPython(ledgers_to_accounts, ledgers_back_to_settings)]
