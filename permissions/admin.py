"""Grants and permission templates in the admin site: to look at, never to change.

Who may do what changes through the Directory and the permission template pages
(``permissions.services``): they check who may grant what (only a member who has it may give
Can Push to Accounting), keep a template's group in step with its levels, and write the audit
row. An edit here would skip all three, so the admin site may view them, nothing more.
"""

from django.contrib import admin

from audit.admin_audit import ReadOnlyModelAdmin
from permissions.models import PermissionTemplate, ToolGrant


@admin.register(ToolGrant)
class ToolGrantAdmin(ReadOnlyModelAdmin):
    list_display = ("user", "account", "tool", "level", "updated_at")
    list_filter = ("account", "tool", "level")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "granted_by")


@admin.register(PermissionTemplate)
class PermissionTemplateAdmin(ReadOnlyModelAdmin):
    list_display = ("name", "account", "scope", "is_default", "updated_at")
    list_filter = ("account", "scope")
    search_fields = ("name",)
    readonly_fields = ("group",)
