from django.contrib import admin

from permissions.models import PermissionTemplate, ToolGrant


@admin.register(ToolGrant)
class ToolGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "tool", "level", "updated_at")
    list_filter = ("account", "tool", "level")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "granted_by")


@admin.register(PermissionTemplate)
class PermissionTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "scope", "is_default", "updated_at")
    list_filter = ("account", "scope")
    search_fields = ("name",)
    readonly_fields = ("group",)
