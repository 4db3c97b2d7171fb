# Tool grants are company adjustments only: project grants moved to guardian's table in 0004.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("permissions", "0004_grants_become_templates"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='toolgrant',
            name='toolgrant_unique_company',
        ),
        migrations.RemoveConstraint(
            model_name='toolgrant',
            name='toolgrant_unique_project',
        ),
        migrations.RemoveField(
            model_name='toolgrant',
            name='project',
        ),
        migrations.AddConstraint(
            model_name='toolgrant',
            constraint=models.UniqueConstraint(fields=('account', 'user', 'tool'), name='toolgrant_unique_company'),
        ),
    ]
