# The ERP log names the record a call was about in its summary, instead of pointing at the export
# request: the call log moves below the workflow (app ``erp``) and must not refer up to it.

from django.db import migrations


def copy_labels(apps, schema_editor):
    ErpCall = apps.get_model("integrations", "ErpCall")
    calls = ErpCall.objects.filter(export_request__isnull=False).select_related("export_request")
    for call in calls.iterator(chunk_size=2000):
        summary = dict(call.payload_summary or {})
        request = call.export_request
        summary.setdefault("label", request.summary.get("label") or "")
        summary.setdefault("request", request.pk)
        if summary != call.payload_summary:
            call.payload_summary = summary
            call.save(update_fields=["payload_summary"])


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0003_queue_order_index"),
        ("integrations", "0003_erpconnection_auth_failures_erpconnection_secrets_and_more"),
    ]

    operations = [
        migrations.RunPython(copy_labels, migrations.RunPython.noop),
        migrations.RemoveField(model_name="erpcall", name="export_request"),
    ]
