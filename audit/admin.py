from django.contrib import admin

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: administrators may look, nobody may add, change or delete an entry."""

    list_display = ["at", "action", "actor", "program", "object_type", "object_id", "ip_address"]
    # No filter by action and no date hierarchy: each runs a DISTINCT over the whole log.
    list_filter = ["program"]
    search_fields = ["action", "object_type", "object_id", "actor__username"]
    list_select_related = ["actor", "program"]
    # A full COUNT(*) over millions of entries on every page is slow and tells nobody anything.
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
