# The audit trail moves below the workflow (app ``audit``): an event keeps its export request's
# id, without a foreign key that would point up at this app.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0004_account_moved_to_tenancy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="request",
            field=models.ForeignKey(blank=True, null=True, db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name="events", to="approvals.exportrequest"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="auditevent", name="request"),
                migrations.AddField(
                    model_name="auditevent",
                    name="request_id",
                    field=models.BigIntegerField(blank=True, db_index=True, help_text="The export request, for its events.", null=True),
                ),
            ]
        ),
    ]
