"""The community-relations log's API: list and record each kind of entry, a complaint's
response and its report to the state, through the same selectors and services as the pages.
Registered in api/urls.py."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.selectors import locations_for
from community_log import selectors, services
from community_log.models import Complaint, FoundSyringeReport, PoliceInteraction, StickInjury
from core.rest.fields import IdField, SaneDateField
from core.rest.serializers import ModelSerializer

TEXT = {"max_length": 2000, "required": False, "allow_blank": True}


class ComplaintSerializer(ModelSerializer):
    state_report_due_at = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "received_at",
            "source_kind",
            "place",
            "what",
            "response",
            "resolved",
            "state_report_due_at",
            "reported_to_state_at",
        ]
        read_only_fields = ["id", "state_report_due_at", "reported_to_state_at"]


class ComplaintResponseSerializer(serializers.Serializer):
    response = serializers.CharField(**TEXT)
    resolved = serializers.BooleanField()


class StickInjurySerializer(ModelSerializer):
    class Meta:
        model = StickInjury
        fields = [
            "id",
            "occurred_on",
            "injured_person",
            "place",
            "what_happened",
            "referred_to_care",
        ]
        read_only_fields = ["id"]


class FoundSyringeReportSerializer(ModelSerializer):
    location = IdField(required=False, write_only=True)
    cleaned_up_on = SaneDateField(required=False, allow_null=True)
    syringes_collected = serializers.IntegerField(
        min_value=1, max_value=100_000, required=False, allow_null=True
    )

    class Meta:
        model = FoundSyringeReport
        fields = [
            "id",
            "reported_on",
            "source_kind",
            "place",
            "syringes_found",
            "location",
            "cleaned_up_on",
            "syringes_collected",
        ]
        read_only_fields = ["id"]

    def to_representation(self, report):
        data = super().to_representation(report)
        cleanup = report.cleanup
        data["cleaned_up_on"] = cleanup.collected_on.isoformat() if cleanup else None
        data["syringes_collected"] = cleanup.syringes if cleanup else None
        return data

    def validate_location(self, value):
        location = locations_for(self.context["request"].user).filter(pk=value).first()
        if location is None:
            raise serializers.ValidationError(_("No such location in your program."))
        return location


class PoliceInteractionSerializer(ModelSerializer):
    class Meta:
        model = PoliceInteraction
        fields = [
            "id",
            "occurred_on",
            "kind",
            "place",
            "card_shown",
            "supplies_confiscated",
            "description",
        ]
        read_only_fields = ["id"]


class _LogViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List, read and record one kind of entry: `select` reads, `record` writes."""

    select = None
    record = None
    lookup_value_regex = "[0-9]{1,18}"  # a row id; anything else is the JSON 404 of any path

    def get_queryset(self):
        return type(self).select(self.request.user).order_by("-id")

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        entry = type(self).record(by=request.user, **incoming.validated_data)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["community log"])
class ComplaintViewSet(_LogViewSet):
    """Complaints from the community; each must be reported to the state within 72 hours."""

    serializer_class = ComplaintSerializer
    select = staticmethod(selectors.complaints_for)
    record = staticmethod(services.record_complaint)

    @extend_schema(request=ComplaintResponseSerializer, responses={200: ComplaintSerializer})
    def partial_update(self, request, *args, **kwargs):
        """The program's response, and whether the complaint is resolved; what is left out
        stays as it was."""
        complaint = self.get_object()
        incoming = ComplaintResponseSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        complaint = services.update_complaint(
            by=request.user,
            complaint=complaint,
            response=incoming.validated_data.get("response", complaint.response),
            resolved=incoming.validated_data.get("resolved", complaint.resolved),
        )
        return Response(self.get_serializer(complaint).data)

    @extend_schema(request=None, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"], url_path="reported-to-state")
    def reported_to_state(self, request, pk=None):
        """A manager reported the complaint to the state: its 72-hour clock stops."""
        if not request.user.is_manager:
            raise PermissionDenied
        complaint = services.mark_complaint_reported(by=request.user, complaint=self.get_object())
        return Response(self.get_serializer(complaint).data)


@extend_schema(tags=["community log"])
class StickInjuryViewSet(_LogViewSet):
    """Syringe-stick injuries to people who are not participants."""

    serializer_class = StickInjurySerializer
    select = staticmethod(selectors.stick_injuries_for)
    record = staticmethod(services.record_stick_injury)


@extend_schema(tags=["community log"])
class FoundSyringeReportViewSet(_LogViewSet):
    """Syringes found discarded, with the clean-up if there was one."""

    serializer_class = FoundSyringeReportSerializer
    select = staticmethod(selectors.found_syringe_reports_for)
    record = staticmethod(services.record_found_syringes)


@extend_schema(tags=["community log"])
class PoliceInteractionViewSet(_LogViewSet):
    """Police interactions participants chose to tell: anonymous, never a name or an id."""

    serializer_class = PoliceInteractionSerializer
    select = staticmethod(selectors.police_interactions_for)
    record = staticmethod(services.record_police_interaction)
