from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_audit import AuditedModelAdmin
from audit.models import AuditEvent
from tenancy import admin as tenancy_admin
from tenancy.models import Account, Membership


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read only, here as everywhere: rows are viewed, never added, changed
    or deleted (the model and, on PostgreSQL, the database refuse it too)."""

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
    list_select_related = ("account", "actor")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The tenancy app cannot import this one (a lower layer): its admins are registered here, with
# the trail. A membership's privileges (Can Push to Accounting) changed here are audited.
@admin.register(Account)
class AccountAdmin(AuditedModelAdmin, tenancy_admin.AccountAdmin):
    pass


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin, tenancy_admin.MembershipAdmin):
    pass
