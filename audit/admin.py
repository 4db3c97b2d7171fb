from django.contrib import admin

from audit.models import AuditEvent


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
