from django.contrib import admin

from erp.models import ErpCall, ErpConnection


@admin.register(ErpConnection)
class ErpConnectionAdmin(admin.ModelAdmin):
    list_display = ("account", "connector_key", "is_paused", "auth_failures", "updated_at")
    # Secrets are edited on the portal's ERP connection page, which encrypts them.
    exclude = ("secrets",)


@admin.register(ErpCall)
class ErpCallAdmin(admin.ModelAdmin):
    list_display = (
        "started_at",
        "account",
        "action",
        "item_type",
        "item_id",
        "outcome",
        "resolved",
    )
    list_filter = ("account", "action", "outcome", "resolved")
    search_fields = ("idempotency_key", "error")
