"""The catalogue in the admin: items and kits, with their names in each other language."""

from django.contrib import admin

from core.translated_names import translated_name_form
from supplies.models import Item, Kit, KitItem


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = translated_name_form(Item)
    list_display = ["name", "program", "category", "unit", "is_active"]
    list_filter = ["program", "category", "is_active"]
    search_fields = ["name"]


class KitItemInline(admin.TabularInline):
    model = KitItem
    extra = 1


@admin.register(Kit)
class KitAdmin(admin.ModelAdmin):
    form = translated_name_form(Kit)
    list_display = ["name", "program", "is_active"]
    list_filter = ["program", "is_active"]
    search_fields = ["name"]
    inlines = [KitItemInline]
