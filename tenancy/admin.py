from django.contrib import admin

from tenancy.models import Account, Membership


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "allow_standard_approvers", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "account", "is_active", "can_push_to_accounting", "can_create_project")
    list_filter = ("account", "is_active", "can_push_to_accounting")
    search_fields = ("user__username", "user__email")
