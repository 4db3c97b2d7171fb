"""The ERP connection and its call log in the admin site.

The connector, its settings and secrets, and pausing and resuming change on the portal's ERP
connection page (``erp.services``): it checks the connector exists and its settings are valid,
encrypts the secrets and clears them with another connector, and resuming sends at once what
waited. An edit here would skip all of that (an unknown connector breaks every page that asks
the ERP), so those fields are shown, not edited; what may change here (the count of refused
logins) writes its audit row, a secret by its name only, never its value. The call log is what
the ERP was asked and answered: it is viewed, never changed.
"""

from django.contrib import admin

from audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from erp.models import ErpCall, ErpConnection


@admin.register(ErpConnection)
class ErpConnectionAdmin(AuditedModelAdmin):
    list_display = ("account", "connector_key", "is_paused", "auth_failures", "updated_at")
    # Secrets are edited on the portal's ERP connection page, which encrypts them.
    exclude = ("secrets",)
    audit_secret_fields = ("secrets",)
    readonly_fields = ("connector_key", "settings", "is_paused", "paused_reason")


@admin.register(ErpCall)
class ErpCallAdmin(ReadOnlyModelAdmin):
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
