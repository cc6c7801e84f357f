"""The referrals' endpoint (/api/v1/referrals/): list and read them, make one, move one to a new
status, through the same selectors and services as the referral pages."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.rest.fields import IdField, SaneDateField
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from participants.api import ParticipantLookups, participant_named
from participants.models import Participant
from referrals import selectors, services
from referrals.models import Partner, Referral, ReferralKind


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices)
    kind = django_filters.ChoiceFilter(choices=ReferralKind.choices)
    participant = django_filters.CharFilter(
        method="filter_participant", label=_("Participant public id")
    )

    class Meta:
        model = Referral
        fields = ["status", "kind", "participant"]

    def filter_participant(self, queryset, name, value):
        return queryset.filter(participant__public_id=value.strip().upper())


class ReferralSerializer(ModelSerializer):
    participant = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    partner_name = serializers.CharField(
        source="partner.name", read_only=True, allow_null=True, default=None
    )
    made_by = serializers.CharField(source="made_by.username", read_only=True)
    encounter = serializers.UUIDField(source="encounter_id", read_only=True, allow_null=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "participant",
            "kind",
            "partner",
            "partner_name",
            "encounter",
            "made_by",
            "made_at",
            "follow_up_due",
            "status",
            "linked_at",
            "outcome_note",
        ]
        read_only_fields = fields


class ReferralInSerializer(serializers.Serializer):
    participant = serializers.CharField(max_length=20, help_text=_("The public id."))
    kind = serializers.ChoiceField(choices=ReferralKind.choices)
    partner = IdField(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[
            (Referral.Status.OFFERED, Referral.Status.OFFERED.label),
            (Referral.Status.MADE, Referral.Status.MADE.label),
        ],
        default=Referral.Status.MADE,
    )
    follow_up_due = SaneDateField(required=False, allow_null=True)

    def validate_participant(self, value: str) -> Participant:
        return participant_named(ParticipantLookups.of(self.context), value)

    def validate_partner(self, value: int | None) -> Partner | None:
        if value is None:
            return None
        partner = self.context["partners"].filter(pk=value).first()
        if partner is None:
            raise serializers.ValidationError(_("No such partner in your program."))
        return partner


class ReferralStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Referral.Status.choices)
    note = serializers.CharField(max_length=280, required=False, allow_blank=True, default="")


@extend_schema(tags=["referrals"])
class ReferralViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of your program; make one, or move one to a new status."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self):
        return (
            selectors.referrals_for(self.request.user)
            .select_related("participant", "partner", "made_by")
            .order_by("-made_at", "-id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["partners"] = selectors.partners_for(self.request.user)
        return context

    @extend_schema(request=ReferralInSerializer, responses={201: ReferralSerializer})
    def create(self, request, *args, **kwargs):
        incoming = ReferralInSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        referral = services.make_referral(
            by=request.user,
            participant=data["participant"],
            kind=data["kind"],
            partner=data.get("partner"),
            status=data["status"],
            follow_up_due=data.get("follow_up_due"),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=referral.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ReferralStatusSerializer, responses={200: ReferralSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Move the referral to a new status (linked, completed, declined...), with a note."""
        referral = self.get_object()
        incoming = ReferralStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.change_referral_status(
            by=request.user,
            referral=referral,
            status=incoming.validated_data["status"],
            note=incoming.validated_data["note"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)
