"""Export requests in the admin site: to look at, never to change.

Every field of a request is the workflow's (its state, who decided, the reason, what the ERP
answered, the pipeline's attempts and lease), and every change of one goes through
``approvals.transitions``, which moves the record's ERP state with it and writes the audit row.
An edit here would skip both; a deletion would free the record for a second open request while
it still shows the first one's state. So the admin site may view requests, nothing more.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from approvals.models import ExportRequest


@admin.register(ExportRequest)
class ExportRequestAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
