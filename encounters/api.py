"""The encounters' endpoints (/api/v1/encounters/): the list with its filters and a cursor, one
encounter, and recording one, with the new participant it may bring; the offline sync of the
api app records each queued item through the same serializer and write.

Ids are resolved within the user's scope and the rules stay in encounters.services, so the API
accepts exactly what the encounter screen accepts and moves stock as it does.
"""

import uuid
from dataclasses import dataclass
from functools import cached_property

import django_filters
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import empty
from rest_framework.response import Response

from accounts.models import Location, User
from accounts.selectors import assigned_locations, locations_for
from core.forms import DateRangeForm, sane_date_validators
from core.rest.fields import IdField, SaneDateTimeField
from core.rest.pagination import NewestFirstCursorPagination
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from encounters import follow_ups, selectors
from encounters import services as encounter_services
from encounters.forms import ANONYMOUS
from encounters.models import Encounter, EncounterSupply
from encounters.selectors import EncounterFilters, filtered_encounters
from encounters.services import SupplyLine
from participants import selectors as participant_selectors
from participants import services as participant_services
from participants.api import EnrolmentSerializer, ParticipantLookups, participant_named
from participants.models import Participant
from security.code_guesses import spend_code_guess
from supplies.models import Item
from supplies.selectors import items_for

MOST_SUPPLY_LINES = 100
UUID_PATTERN = "[0-9a-fA-F-]{32,36}"


class EncounterLookups(ParticipantLookups):
    """What an encounter names besides its participant, each read once per request."""

    @cached_property
    def assigned_locations(self) -> dict[int, Location]:
        """Locations the user may record encounters at (a manager: all active ones)."""
        return {location.pk: location for location in assigned_locations(self.user)}

    @cached_property
    def active_items(self) -> dict[int, Item]:
        """The program's active catalogue: a few dozen rows, read in one query."""
        return {item.pk: item for item in items_for(self.user).filter(is_active=True)}


# --- Serializers ------------------------------------------------------------------------------


class ReferralKindsField(serializers.ListField):
    """Kinds of referral made at the encounter: those the referrals app offers, read through
    encounters.follow_ups (referrals sits above encounters). DRF makes a serializer's fields
    anew for each instance, so the kinds are read then, never at import."""

    def __init__(self, **kwargs):
        choices = follow_ups.referral_choices()
        super().__init__(
            child=serializers.ChoiceField(choices=choices), max_length=len(choices), **kwargs
        )


class SupplyLineInSerializer(serializers.Serializer):
    item = IdField()
    quantity = serializers.IntegerField(min_value=0, max_value=100_000)

    def validate_item(self, value: int) -> Item:
        item = EncounterLookups.of(self.context).active_items.get(value)
        if item is None:
            raise serializers.ValidationError(_("No such item in your program's catalogue."))
        return item


class EncounterInSerializer(serializers.Serializer):
    """An encounter to record, as the encounter screen or an offline queue sends it."""

    id = serializers.UUIDField(
        required=False,
        help_text=_("Made by the client; sending the same id again stores nothing new."),
    )
    occurred_at = SaneDateTimeField(
        required=False, help_text=_("ISO 8601 with offset; now if left out.")
    )
    location = IdField()
    kind = serializers.ChoiceField(choices=Encounter.Kind.choices)
    participant = serializers.CharField(
        max_length=20,
        required=False,
        allow_null=True,
        help_text=_("A public id, or null (or 'anonymous') for an anonymous encounter."),
    )
    new_participant = EnrolmentSerializer(
        required=False, help_text=_("Enrol this person now, instead of naming a participant.")
    )
    supplies = SupplyLineInSerializer(many=True, required=False, max_length=MOST_SUPPLY_LINES)
    syringes_collected = serializers.IntegerField(min_value=0, max_value=10_000, default=0)
    secondary_distribution_for = serializers.IntegerField(min_value=0, max_value=100, default=0)
    overdose_reversals_reported = serializers.IntegerField(min_value=0, max_value=20, default=0)
    hiv_test = serializers.BooleanField(default=False)
    hcv_test = serializers.BooleanField(default=False)
    wound_care = serializers.BooleanField(default=False)
    naloxone_training = serializers.BooleanField(default=False)
    counselling = serializers.BooleanField(default=False)
    referral_kinds = ReferralKindsField(required=False)
    note = serializers.CharField(max_length=280, required=False, allow_blank=True, default="")

    def __init__(self, *args, queued: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if queued:
            # A queued item must say who made it and when: a resend has to be recognised.
            self.fields["id"].required = True
            self.fields["occurred_at"].required = True

    def validate_location(self, value: int):
        location = EncounterLookups.of(self.context).assigned_locations.get(value)
        if location is None:
            raise serializers.ValidationError(_("No such location among those you work at."))
        return location

    def validate_participant(self, value: str | None):
        if value is None or value.strip().lower() in ("", ANONYMOUS):
            return None
        return participant_named(EncounterLookups.of(self.context), value)

    def validate(self, attrs):
        if "participant" not in attrs and "new_participant" not in attrs:
            raise serializers.ValidationError(
                {"participant": _("Name the participant, or send null for anonymous.")}
            )
        if attrs.get("participant") is not None and "new_participant" in attrs:
            raise serializers.ValidationError(
                {"new_participant": _("Send a participant or a new participant, not both.")}
            )
        lines = attrs.get("supplies") or []
        attrs["supply_lines"] = [
            SupplyLine(item=line["item"], quantity=line["quantity"]) for line in lines
        ]
        attrs["services"] = {name: attrs.pop(name) for name in Encounter.SERVICE_FIELDS}
        return attrs


class EncounterCorrectionSerializer(EncounterInSerializer):
    """A correction: any field of the encounter, each left out stays as it is; `supplies` and
    `referral_kinds`, when sent, replace the whole lists. The reason is required."""

    reason = serializers.CharField(
        max_length=280, help_text=_("Why the encounter is corrected; kept in the audit log.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["id"]
        del self.fields["new_participant"]
        for name, field in self.fields.items():
            if name != "reason":
                field.required = False
                field.default = empty

    def validate(self, attrs):
        if "supplies" in attrs:
            attrs["supply_lines"] = [
                SupplyLine(item=line["item"], quantity=line["quantity"])
                for line in attrs.pop("supplies")
            ]
        return attrs


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=280, help_text=_("Why the encounter is voided; kept in the audit log.")
    )


def correct_encounter_from_api(*, by: User, encounter: Encounter, data: dict) -> Encounter:
    """Call the one correction service with what the request sent."""
    data = dict(data)
    reason = data.pop("reason")
    supplies = data.pop("supply_lines", None)
    referral_kinds = data.pop("referral_kinds", None)
    return encounter_services.correct_encounter(
        by=by,
        encounter=encounter,
        reason=reason,
        changes=data,
        supplies=supplies,
        referral_kinds=referral_kinds,
    )


class SupplyGivenSerializer(ModelSerializer):
    item_name = serializers.CharField(source="item.localized_name", read_only=True)

    class Meta:
        model = EncounterSupply
        fields = ["item", "item_name", "quantity"]
        read_only_fields = fields


class EncounterSerializer(ModelSerializer):
    participant = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    location_name = serializers.CharField(source="location.localized_name", read_only=True)
    staff = serializers.CharField(source="staff.username", read_only=True)
    supplies = SupplyGivenSerializer(many=True, read_only=True)
    referral_kinds = serializers.SerializerMethodField()

    class Meta:
        model = Encounter
        fields = [
            "id",
            "occurred_at",
            "kind",
            "location",
            "location_name",
            "participant",
            "staff",
            "supplies",
            "syringes_collected",
            "secondary_distribution_for",
            "overdose_reversals_reported",
            *Encounter.SERVICE_FIELDS,
            "referral_kinds",
            "note",
            "created_at",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields

    # The class, not an instance: the schema makes one when it is generated, with the kinds.
    @extend_schema_field(ReferralKindsField)
    def get_referral_kinds(self, encounter) -> list[str]:
        # The referrals' reverse relation, prefetched by the viewset: no import of referrals.
        return [referral.kind for referral in encounter.referrals.all()]


# --- The list's filters -----------------------------------------------------------------------


class EncounterFilter(django_filters.FilterSet):
    """The encounter list's filters, applied by the same selector as the page's."""

    date_from = django_filters.DateFilter(
        label=_("From this day (program time zone)"), validators=sane_date_validators()
    )
    date_to = django_filters.DateFilter(
        label=_("To this day (program time zone)"), validators=sane_date_validators()
    )
    location = django_filters.ModelChoiceFilter(
        queryset=lambda request: locations_for(request.user)
    )
    kind = django_filters.ChoiceFilter(choices=Encounter.Kind.choices)
    participant = django_filters.CharFilter(label=_("Participant public id"))

    class Meta:
        model = Encounter
        fields = ["date_from", "date_to", "location", "kind", "participant"]
        form = DateRangeForm  # the end not before the start, dates in a sane range

    def filter_queryset(self, queryset):
        user = self.request.user
        data = self.form.cleaned_data
        filters = EncounterFilters(
            location_id=data["location"].pk if data.get("location") else None,
            kind=data.get("kind") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        encounters = filtered_encounters(user, filters, user.program.tzinfo)
        if data.get("participant"):
            encounters = encounters.filter(
                participant__public_id=data["participant"].strip().upper()
            )
        return encounters


# --- Recording --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedEncounter:
    encounter: Encounter
    created: bool
    participant_enrolled: bool


def _enroll(*, by: User, enrolment: dict) -> tuple[Participant, bool]:
    try:
        with transaction.atomic():
            return participant_services.enroll_participant(
                by=by,
                code=enrolment["code"],
                profile=enrolment["profile_fields"],
                characteristics=enrolment["characteristics"],
            )
    except IntegrityError:
        # The same person was enrolled by another request at this moment: use them.
        participant = participant_selectors.participant_with_code(by, enrolment["code"])
        if participant is None:
            raise
        return participant, False


def _stored(*, by: User, encounter_id) -> Encounter | None:
    """The encounter already stored under this id, if any; another program's is an error."""
    existing = Encounter.objects.filter(pk=encounter_id).select_related("participant").first()
    if existing is not None and existing.program_id != by.program_id:
        raise encounter_services.EncounterError(
            gettext("This encounter id is already used."), field="encounter_id"
        )
    return existing


@transaction.atomic
def record_encounter_from_api(
    *,
    by: User,
    data: dict,
    queued_offline: bool = False,
    known_new: bool = False,
    stock_batch=None,
) -> RecordedEncounter:
    """Enrol the new participant if the data brings one, then record the encounter, all or
    nothing. A stored id returns the stored encounter: no enrolment, no stock moved.

    `known_new`: the caller has just looked the id up (a sync batch does, for all its items in
    one query), so the lookup is not repeated; the service still catches a concurrent twin.
    """
    encounter_id = data.get("id") or uuid.uuid4()
    existing = None if known_new else _stored(by=by, encounter_id=encounter_id)
    if existing is not None:
        return RecordedEncounter(existing, created=False, participant_enrolled=False)
    participant, enrolled = data.get("participant"), False
    if data.get("new_participant"):
        participant, enrolled = _enroll(by=by, enrolment=data["new_participant"])
    encounter, created = encounter_services.record_encounter(
        by=by,
        encounter_id=encounter_id,
        participant=participant,
        location=data["location"],
        kind=data["kind"],
        occurred_at=data.get("occurred_at"),
        supplies=data["supply_lines"],
        syringes_collected=data["syringes_collected"],
        secondary_distribution_for=data["secondary_distribution_for"],
        overdose_reversals_reported=data["overdose_reversals_reported"],
        services=data["services"],
        referral_kinds=data.get("referral_kinds") or [],
        note=data.get("note", ""),
        queued_offline=queued_offline,
        known_new=known_new,
        stock_batch=stock_batch,
    )
    return RecordedEncounter(encounter, created, participant_enrolled=enrolled and created)


# --- Endpoints --------------------------------------------------------------------------------


@extend_schema(tags=["encounters"])
class EncounterViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Encounters of your program, newest first; record one with its supplies and referrals,
    correct one (PATCH) or void it. Voided encounters are listed to managers only."""

    serializer_class = EncounterSerializer
    filterset_class = EncounterFilter
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return selectors.encounters_for(self.request.user)

    def _with_details(self, encounters):
        return selectors.with_list_details(encounters).prefetch_related("referrals")

    def list(self, request, *args, **kwargs):
        encounters = self._with_details(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(encounters)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return get_object_or_404(self._with_details(self.get_queryset()), pk=self.kwargs["pk"])

    @extend_schema(
        request=EncounterInSerializer,
        responses={
            201: EncounterSerializer,
            200: OpenApiResponse(
                EncounterSerializer,
                description="An encounter with this id was already stored: it, unchanged.",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Record an encounter; an id already stored returns the stored one (200), once."""
        incoming = EncounterInSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        if incoming.validated_data.get("new_participant") and not _stored(
            by=request.user, encounter_id=incoming.validated_data.get("id")
        ):
            # Answers tell whether a code exists: one guess, counted before the transaction.
            spend_code_guess(user=request.user)
        recorded = record_encounter_from_api(by=request.user, data=incoming.validated_data)
        encounter = self._with_details(self.get_queryset()).get(pk=recorded.encounter.pk)
        return Response(
            self.get_serializer(encounter).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=EncounterCorrectionSerializer,
        responses={200: EncounterSerializer},
        description="Correct an encounter: its author on the day it was saved, a manager at "
        "any time. Stock is given back and taken again; a shortfall is a 409 and saves nothing.",
    )
    def partial_update(self, request, *args, **kwargs):
        encounter = self.get_object()
        incoming = EncounterCorrectionSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        correct_encounter_from_api(
            by=request.user, encounter=encounter, data=incoming.validated_data
        )
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=VoidSerializer, responses={200: EncounterSerializer})
    @action(detail=True, methods=["post"])
    def void(self, request, *args, **kwargs):
        """Void an encounter (same rule as a correction): it leaves every measure, its stock
        comes back, and managers still see it, marked voided."""
        encounter = self.get_object()
        incoming = VoidSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        encounter = encounter_services.void_encounter(
            by=request.user, encounter=encounter, reason=incoming.validated_data["reason"]
        )
        # Read again past the list's scope: a worker no longer lists what they voided.
        voided = self._with_details(Encounter.objects.filter(pk=encounter.pk)).get()
        return Response(self.get_serializer(voided).data)
