# AuditEvent now belongs to the ``audit`` app, with its table.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0005_auditevent_request_id"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AuditEvent")]
        ),
    ]
