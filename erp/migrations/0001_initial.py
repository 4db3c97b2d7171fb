# ErpConnection and ErpCall move here from ``integrations``: the tables stay where they are
# (``db_table``), only Django's idea of which app owns them changes.

import django.db.models.deletion
from django.db import migrations, models

from tenancy.model_moves import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("tenancy", "0001_initial"),
        ("integrations", "0004_erpcall_label_instead_of_request"),
    ]

    state_operations = [
        migrations.CreateModel(
            name="ErpConnection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("connector_key", models.CharField(default="sandbox", max_length=60, verbose_name="Connector")),
                ("settings", models.JSONField(blank=True, default=dict)),
                ("secrets", models.TextField(blank=True, help_text="Encrypted; never shown back.")),
                ("is_paused", models.BooleanField(default=False)),
                ("paused_reason", models.TextField(blank=True)),
                ("auth_failures", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("account", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="erp_connection", to="tenancy.account")),
            ],
            options={"db_table": "integrations_erpconnection"},
        ),
        migrations.CreateModel(
            name="ErpCall",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("action", models.CharField(max_length=30)),
                ("item_type", models.CharField(blank=True, max_length=40)),
                ("item_id", models.BigIntegerField(blank=True, null=True)),
                ("idempotency_key", models.CharField(blank=True, max_length=200)),
                ("payload_summary", models.JSONField(blank=True, default=dict)),
                ("outcome", models.CharField(blank=True, choices=[("success", "Success"), ("transient", "Transient error"), ("permanent", "Permanent error"), ("auth", "Authentication error"), ("interrupted", "Interrupted")], max_length=12)),
                ("response", models.JSONField(blank=True, default=dict)),
                ("error", models.TextField(blank=True)),
                ("attempt", models.PositiveIntegerField(default=1)),
                ("worker", models.CharField(blank=True, max_length=120)),
                ("started_at", models.DateTimeField()),
                ("duration_ms", models.PositiveIntegerField(blank=True, null=True)),
                ("resolved", models.BooleanField(default=False, help_text="A later success superseded this error.")),
                ("account", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="tenancy.account")),
                ("connection", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="calls", to="erp.erpconnection")),
            ],
            options={
                "db_table": "integrations_erpcall",
                "ordering": ["-started_at", "-id"],
                "indexes": [
                    models.Index(fields=["account", "item_type", "item_id"], name="integration_account_6d92e1_idx"),
                    models.Index(fields=["account", "outcome", "resolved"], name="integration_account_f0c54d_idx"),
                    models.Index(fields=["connection", "started_at"], name="integration_connect_4010f3_idx"),
                ],
            },
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(
            move_content_types(("erpconnection", "erpcall"), source="integrations", target="erp"),
            migrations.RunPython.noop,
        ),
    ]
