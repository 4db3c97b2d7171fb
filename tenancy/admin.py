"""The admin of accounts and memberships, registered by the audit app.

A change made here writes its audit row like every other change; the audit app, above this
one, holds the trail, so it registers these admins with it (``audit/admin.py``).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "allow_standard_approvers", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj else dict(self.prepopulated_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The slug names the account in every address and keys its records in stores shared by
        # accounts (the sandbox ERP's ledger): it is set once, when the account is created.
        return ("slug",) if obj else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting an account would delete all its data; one with an audit trail cannot be
        # deleted at all (its rows protect it).
        return False


class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "is_active", "can_push_to_accounting", "can_create_project")
    list_filter = ("account", "is_active", "can_push_to_accounting")
    search_fields = ("user__username", "user__email")
