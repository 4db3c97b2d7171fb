from django.contrib import admin

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
    raw_id_fields = ("sent_by", "decided_by", "project")
    readonly_fields = ("summary", "attempts", "lease_until")
