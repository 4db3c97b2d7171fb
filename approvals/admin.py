"""Export requests in the admin site: to look at, never to change.

Every field of a request is the workflow's (its state, who decided, the reason, what the ERP
answered, the pipeline's attempts and lease), and every change of one goes through
``approvals.transitions``, which moves the record's ERP state with it and writes the audit row.
An edit here would skip both; a deletion would free the record for a second open request while
it still shows the first one's state. So the admin site may view requests, nothing more.
"""

from django.contrib import admin

from approvals.models import ExportRequest
from audit.admin_audit import ReadOnlyModelAdmin


@admin.register(ExportRequest)
class ExportRequestAdmin(ReadOnlyModelAdmin):
    list_display = (
        "id",
        "account",
        "item_type",
        "item_id",
        "state",
        "sent_by",
        "sent_at",
        "attempts",
    )
    list_filter = ("account", "state", "item_type", "direct")
    search_fields = ("summary__label", "reason", "error")
