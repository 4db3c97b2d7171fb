"""The demo account's data: Summit Ridge Builders, a mid-size Colorado general contractor.

Everything is a table, one module per concept (the account and its people, companies, cost
codes, projects, contracts, direct costs, budgets, billing, ERP ids). Amounts that follow from
others (commitment SOV lines, budgets, prime contract SOVs, what each period bills) are derived
by small pure functions beside their tables, so the records stay consistent with one another;
:mod:`demo.records` writes them.

No module here touches the database or the app registry: ``scripts/run.sh`` reads the logins
from this package before Django is set up.
"""

from demo.data.account import DEMO_PASSWORD, DEMO_USERS
from demo.data.erp_ids import DEMO_ERP_IDS

__all__ = ["DEMO_ERP_IDS", "DEMO_PASSWORD", "DEMO_USERS"]
