from django.contrib import admin

from approvals.models import AuditEvent, ExportRequest


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


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read only, here as everywhere."""

    list_display = (
        "created_at",
        "account",
        "actor",
        "verb",
        "item_type",
        "item_id",
        "before",
        "after",
    )
    list_filter = ("account", "verb", "item_type")
    search_fields = ("reason",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
