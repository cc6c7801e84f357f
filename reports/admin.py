from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reports.models import CommunityReportSetting, FunderOrganisation, ReportDefinition, ReportRun


@admin.register(FunderOrganisation)
class FunderOrganisationAdmin(admin.ModelAdmin):
    """Administrators keep the funder organisations and who belongs to each."""

    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(admin.ModelAdmin):
    list_display = ["shown_name", "program", "schedule", "run_on_day", "is_active"]
    list_filter = ["program", "schedule", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["published_to"]

    @admin.display(description=_("name"), ordering="name")
    def shown_name(self, definition: ReportDefinition) -> str:
        """A ready-made report's name in the reader's language, as everywhere else."""
        return definition.shown_name


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Read-only: runs are made by managers and the schedule, built by the worker."""

    list_display = [
        "definition",
        "period_start",
        "period_end",
        "status",
        "is_scheduled",
        "requested_by",
        "created_at",
        "published_at",
    ]
    list_filter = ["status", "is_scheduled", "definition__program"]
    fields = [
        "definition",
        "period_start",
        "period_end",
        "status",
        "error",
        "attempts",
        "is_scheduled",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "published_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*ReportRun.FILE_FIELDS)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommunityReportSetting)
class CommunityReportSettingAdmin(admin.ModelAdmin):
    list_display = ["program", "enabled", "definition", "period", "slug"]
