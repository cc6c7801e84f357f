"""The trainings' endpoint (/api/v1/training-sessions/): list and read them, with attendees and
the naloxone kits handed out, and record one through training.services, as the pages do."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts.selectors import active_staff_of, locations_for
from core.forms import DateRangeForm, sane_date_validators
from core.rest.fields import IdField, SaneDateField
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from participants.api import ParticipantLookups, participant_named
from participants.models import Participant
from supplies.models import Item
from training import selectors, services
from training.models import HIGHEST_SCORE, Attendee, TrainingSession
from training.services import AttendeeRecord


class TrainingSessionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TrainingSession.Kind.choices)
    date_from = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", validators=sane_date_validators()
    )
    date_to = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", validators=sane_date_validators()
    )

    class Meta:
        model = TrainingSession
        fields = ["kind", "date_from", "date_to"]
        form = DateRangeForm


# --- Serializers ------------------------------------------------------------------------------


class AttendeeSerializer(ModelSerializer):
    # Blank when the attendee gave none (the schema's email format would refuse "").
    email = serializers.CharField(read_only=True)
    participant = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    certificate = serializers.SerializerMethodField()

    class Meta:
        model = Attendee
        fields = [
            "id",
            "name",
            "agency",
            "email",
            "participant",
            "pre_test_score",
            "post_test_score",
            "certificate",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_certificate(self, attendee) -> str | None:
        certificate = getattr(attendee, "certificate", None)
        return certificate.code if certificate else None


class TrainingSessionSerializer(ModelSerializer):
    trainer_name = serializers.CharField(source="trainer.username", read_only=True)
    kits_handed_out = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "kind",
            "held_on",
            "place",
            "trainer",
            "trainer_name",
            "location",
            "audience",
            "attendee_count",
            "kits_handed_out",
            "created_at",
        ]
        read_only_fields = fields


class KitHandedOutSerializer(serializers.Serializer):
    item = serializers.CharField(read_only=True)
    quantity = serializers.IntegerField(read_only=True)


class TrainingSessionDetailSerializer(TrainingSessionSerializer):
    attendees = serializers.SerializerMethodField()
    kits = serializers.SerializerMethodField()

    class Meta(TrainingSessionSerializer.Meta):
        fields = [*TrainingSessionSerializer.Meta.fields, "attendees", "kits"]
        read_only_fields = fields

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, session):
        return AttendeeSerializer(self.context["attendees"], many=True).data

    @extend_schema_field(KitHandedOutSerializer(many=True))
    def get_kits(self, session):
        return self.context["kits"]


class AttendeeInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    agency = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    participant = serializers.CharField(max_length=20, required=False, allow_null=True)
    pre_test_score = serializers.IntegerField(
        min_value=0, max_value=HIGHEST_SCORE, required=False, allow_null=True
    )
    post_test_score = serializers.IntegerField(
        min_value=0, max_value=HIGHEST_SCORE, required=False, allow_null=True
    )

    def validate_participant(self, value: str | None) -> Participant | None:
        if not value or not value.strip():
            return None
        return participant_named(ParticipantLookups.of(self.context), value)

    def validate(self, attrs):
        named = attrs["name"].strip() or attrs["agency"].strip() or attrs["email"].strip()
        if attrs.get("participant") and named:
            raise serializers.ValidationError(
                _("A participant is recorded by card id only, never with a name or email.")
            )
        if (attrs["agency"].strip() or attrs["email"].strip()) and not attrs["name"].strip():
            raise serializers.ValidationError(
                {"name": _("Give the name of the person from this agency or email.")}
            )
        return attrs


class TrainingKitInSerializer(serializers.Serializer):
    item = IdField()
    quantity = serializers.IntegerField(min_value=0, max_value=1000)

    def validate_item(self, value: int) -> Item:
        item = self.context["naloxone_items"].filter(pk=value).first()
        if item is None:
            raise serializers.ValidationError(_("No such naloxone item in your program."))
        return item


class TrainingSessionInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrainingSession.Kind.choices)
    audience = serializers.ChoiceField(choices=TrainingSession.Audience.choices)
    held_on = SaneDateField()
    place = serializers.CharField(max_length=200)
    trainer = IdField(required=False, allow_null=True, help_text=_("Managers only; default: you."))
    attendee_count = serializers.IntegerField(min_value=1, max_value=10_000)
    location = IdField(required=False, allow_null=True)
    attendees = AttendeeInSerializer(many=True, required=False, max_length=200)
    kits = TrainingKitInSerializer(many=True, required=False, max_length=20)

    def validate_held_on(self, value):
        user = self.context["request"].user
        if value > user.program.today():
            raise serializers.ValidationError(
                _("This date is in the future. Record a training once given.")
            )
        return value

    def validate_trainer(self, value):
        if value is None:
            return None
        trainer = self.context["trainers"].filter(pk=value).first()
        if trainer is None:
            raise serializers.ValidationError(_("The trainer must be staff of your program."))
        return trainer

    def validate_location(self, value):
        if value is None:
            return None
        location = self.context["locations"].filter(pk=value).first()
        if location is None:
            raise serializers.ValidationError(_("No such location in your program."))
        return location


# --- Endpoints --------------------------------------------------------------------------------


@extend_schema(tags=["training"])
class TrainingSessionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Trainings: a manager sees the program's, outreach staff the ones they gave."""

    serializer_class = TrainingSessionSerializer
    filterset_class = TrainingSessionFilter

    def get_queryset(self):
        if self.action == "list":
            return selectors.filtered_trainings(self.request.user)
        return selectors.trainings_for(self.request.user).select_related("trainer")

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def _detail(self, session) -> dict:
        context = {
            **self.get_serializer_context(),
            "attendees": selectors.session_attendees(session),
            "kits": selectors.session_kits(session),
        }
        return TrainingSessionDetailSerializer(session, context=context).data

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TrainingSessionDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=TrainingSessionInSerializer,
        responses={201: TrainingSessionDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        context = {
            **self.get_serializer_context(),
            "trainers": active_staff_of(user),
            "locations": locations_for(user).filter(is_active=True),
            "naloxone_items": selectors.naloxone_items_for(user),
        }
        incoming = TrainingSessionInSerializer(data=request.data, context=context)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        session = services.record_training_session(
            by=user,
            kind=data["kind"],
            held_on=data["held_on"],
            place=data["place"],
            audience=data["audience"],
            attendee_count=data["attendee_count"],
            trainer=data.get("trainer") or user,
            location=data.get("location"),
            attendees=[
                AttendeeRecord(
                    name=row["name"].strip(),
                    agency=row["agency"].strip(),
                    email=row["email"].strip(),
                    participant=row.get("participant"),
                    pre_test_score=row.get("pre_test_score"),
                    post_test_score=row.get("post_test_score"),
                )
                for row in data.get("attendees") or []
            ],
            kits=[(row["item"], row["quantity"]) for row in data.get("kits") or []],
        )
        session = selectors.trainings_for(user).select_related("trainer").get(pk=session.pk)
        return Response(self._detail(session), status=status.HTTP_201_CREATED)
