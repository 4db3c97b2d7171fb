"""Every payment belongs to a project (filled by 0006 from its invoice)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_job_costs_and_payments_synced")]

    operations = [
        migrations.AlterField(
            model_name="payment",
            name="project",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="integrations.project",
            ),
        ),
    ]
