from django.contrib import admin

from audit.admin_audit import AuditedModelAdmin, ReadOnlyModelAdmin
from audit.models import AuditEvent
from tenancy import admin as tenancy_admin
from tenancy.models import Account, Membership


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
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


# The tenancy app cannot import this one (a lower layer): its admins are registered here, with
# the trail. A membership's privileges (Can Push to Accounting) changed here are audited.
@admin.register(Account)
class AccountAdmin(AuditedModelAdmin, tenancy_admin.AccountAdmin):
    pass


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin, tenancy_admin.MembershipAdmin):
    pass
