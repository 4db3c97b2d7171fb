# Account moved to the ``tenancy`` app with its table: only the state's references change.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0003_queue_order_index"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="exportrequest",
                    name="account",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="export_requests", to="tenancy.account"),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="account",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.account"),
                ),
            ]
        ),
    ]
