from django.contrib import admin

from permissions.models import ToolGrant


@admin.register(ToolGrant)
class ToolGrantAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "project", "tool", "level", "updated_at")
    list_filter = ("account", "tool", "level")
    search_fields = ("user__username",)
    raw_id_fields = ("user", "project", "granted_by")
