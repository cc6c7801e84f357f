from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Location, Program, User
from core.translated_names import translated_name_form


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "started_on"]
    search_fields = ["name"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    form = translated_name_form(Location)
    list_display = ["name", "program", "kind", "is_active"]
    list_filter = ["program", "kind", "is_active"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "program", "is_active"]
    list_filter = ["role", "program", "is_active"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Program work"), {"fields": ("role", "program", "locations", "language")}),
    )
    filter_horizontal = ("locations", "groups", "user_permissions")
