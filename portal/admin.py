from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from portal.models import AuditEvent, Branch, Division, Institution, Membership, Office, User


@admin.register(Office)
class OfficeAdmin(TreeAdmin):
    form = movenodeform_factory(Office)
    list_display = ["name_zh", "name_en", "code", "level"]
    search_fields = ["name_zh", "name_en", "code"]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "office"]
    search_fields = ["code", "name_zh"]
    raw_id_fields = ["office"]


class BranchInline(admin.TabularInline):
    model = Branch
    raw_id_fields = ["office"]
    extra = 0


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "kind", "credit_code", "office"]
    list_filter = ["kind"]
    search_fields = ["name_zh", "name_en", "credit_code"]
    raw_id_fields = ["office"]
    inlines = [BranchInline]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["office", "institution", "branch"]
    extra = 0


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "phone"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "email_verified_at"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2"]})]
    filter_horizontal = []
    list_filter = ["is_active", "is_staff"]
    inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be read here, never changed."""

    list_display = ["at", "actor_label", "verb", "object_label", "address"]
    list_filter = ["verb"]
    search_fields = ["actor_label", "object_label", "verb"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
