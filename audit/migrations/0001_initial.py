# AuditEvent moves here from ``approvals``: the table stays where it is (``db_table``), only
# Django's idea of which app owns it changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tenancy.model_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenancy", "0001_initial"),
        ("approvals", "0005_auditevent_request_id"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("verb", models.CharField(max_length=30)),
                ("item_type", models.CharField(max_length=40)),
                ("item_id", models.BigIntegerField()),
                ("request_id", models.BigIntegerField(blank=True, db_index=True, help_text="The export request, for its events.", null=True)),
                ("before", models.CharField(blank=True, max_length=12)),
                ("after", models.CharField(blank=True, max_length=12)),
                ("reason", models.TextField(blank=True)),
                ("data", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.account")),
                ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "db_table": "approvals_auditevent",
                "ordering": ["created_at", "id"],
                "indexes": [models.Index(fields=["account", "item_type", "item_id"], name="approvals_a_account_0ed0d3_idx")],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(
            move_content_types(("auditevent",), source="approvals", target="audit"),
            migrations.RunPython.noop,
        ),
    ]
