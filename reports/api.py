"""The report runs' endpoint (/api/v1/report-runs/): the same rules as the report pages
(reports.selectors), and each built run's files, downloaded and audited as on the page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation

from core.rest.permissions import IsReportReader
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from reports import selectors
from reports.downloads import run_file_response
from reports.exports import RUN_FILE_FORMATS
from reports.models import ReportRun

RUN_ID_PATTERN = "[0-9]{1,18}"  # within a bigint: a longer number is the JSON 404 of any path


class ReportDownloadsSerializer(serializers.Serializer):
    """Where to download each file of a built run (the same sign-in as this call)."""

    csv = serializers.URLField()
    xlsx = serializers.URLField()
    pdf = serializers.URLField()


class ReportRunSerializer(ModelSerializer):
    """A report for one period: its status and, once built, its files. Aggregate only."""

    report = serializers.CharField(source="definition.name", read_only=True)
    program = serializers.CharField(source="definition.program.name", read_only=True)
    requested_by = serializers.SerializerMethodField()
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "definition",
            "report",
            "program",
            "period_start",
            "period_end",
            "status",
            "error",
            "is_scheduled",
            "requested_by",
            "created_at",
            "finished_at",
            "published_at",
            "downloads",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        # Times with the offset of the run's program, also for a funder, who has no program.
        with timezone.override(instance.definition.program.tzinfo):
            return super().to_representation(instance)

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=gettext_lazy("Who asked for it (managers only; null for a scheduled run)."),
        )
    )
    def get_requested_by(self, run) -> str | None:
        # Funders see the report, not who in the program asked for it (as on the page).
        if not self.context["request"].user.is_manager or run.requested_by is None:
            return None
        return run.requested_by.get_username()

    @extend_schema_field(ReportDownloadsSerializer(allow_null=True))
    def get_downloads(self, run) -> dict | None:
        if not run.is_ready:
            return None
        request = self.context["request"]
        return {
            file_format: request.build_absolute_uri(
                reverse(
                    "api:report-run-download",
                    kwargs={"pk": run.pk, "file_format": file_format},
                )
            )
            for file_format in RUN_FILE_FORMATS
        }


class FilesOrJsonErrors(BaseContentNegotiation):
    """A download answers with its file whatever the Accept header, and any refusal in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["reports"])
class ReportRunViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Report runs, newest first: a manager sees every run of the program, a funder only the
    runs published to their organisation. Outreach staff are refused; others' runs are 404."""

    permission_classes = [IsReportReader]
    serializer_class = ReportRunSerializer
    lookup_value_regex = RUN_ID_PATTERN

    def get_queryset(self):
        return selectors.run_list(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format",
                str,
                OpenApiParameter.PATH,
                enum=list(RUN_FILE_FORMATS),
                description="Which of the run's three files.",
            )
        ],
        responses={
            (200, file.content_type.split(";")[0]): OpenApiTypes.BINARY
            for file in RUN_FILE_FORMATS.values()
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=f"download/(?P<file_format>{'|'.join(RUN_FILE_FORMATS)})",
        content_negotiation_class=FilesOrJsonErrors,
    )
    def download(self, request, pk=None, file_format=None):
        """One file of a built run (404 until it is built); every download is audited."""
        response = run_file_response(request, int(pk), file_format)
        if response is None:
            raise NotFound(_("No such report file."))
        return response
