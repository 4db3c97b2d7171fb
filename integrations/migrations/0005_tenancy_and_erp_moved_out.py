# Account and Membership now belong to ``tenancy``, ErpConnection and ErpCall to ``erp``, with
# their tables: the records' references follow in the state, and the old models leave it.

import django.db.models.deletion
from django.db import migrations, models

RECORDS = (
    "budget",
    "commitment",
    "commitmentchangeorder",
    "company",
    "costcode",
    "costtype",
    "directcost",
    "jobcosttransaction",
    "ownerinvoice",
    "payment",
    "primecontract",
    "primecontractchangeorder",
    "project",
    "standardcostcode",
    "standardcostcodelist",
    "subcontractorinvoice",
    "subjob",
)


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0004_erpcall_label_instead_of_request"),
        ("tenancy", "0001_initial"),
        ("erp", "0001_initial"),
        ("permissions", "0002_account_moved_to_tenancy"),
        ("approvals", "0004_account_moved_to_tenancy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(
                    migrations.AlterField(
                        model_name=name,
                        name="account",
                        field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.account"),
                    )
                    for name in RECORDS
                ),
                migrations.DeleteModel(name="ErpCall"),
                migrations.DeleteModel(name="ErpConnection"),
                migrations.DeleteModel(name="Membership"),
                migrations.DeleteModel(name="Account"),
            ]
        ),
    ]
