"""DRF serializers: they check the shape of input and resolve ids within the user's scope.

Business rules stay in the services (and the pages' forms, reused here for the participant
code and profile answers), so the API accepts exactly what the pages accept.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import code_recipes
from api.lookups import lookups_from
from encounters.forms import ANONYMOUS
from encounters.models import Encounter, EncounterSupply
from encounters.services import SupplyLine
from participants.forms import CodeAnswersForm, ParticipantProfileForm
from participants.models import Characteristic, Participant
from referrals.models import Partner, Referral, ReferralKind
from reports.exports import RUN_FILE_FORMATS
from reports.models import ReportRun
from supplies.models import Item, Kit, KitItem, StockLevel
from training.models import HIGHEST_SCORE, Attendee, TrainingSession

MOST_SUPPLY_LINES = 100
MOST_SYNC_ITEMS = 500
NOT_ASKED = [("", _("Not asked"))]


def _form_errors(form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }


# --- Participants -----------------------------------------------------------------------------


class ProfileSerializer(serializers.Serializer):
    """Optional answers about a participant; each can be declined, none is required."""

    alias = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(required=False, allow_null=True)
    birth_year_declined = serializers.BooleanField(required=False, default=False)
    gender_identity = serializers.ChoiceField(
        choices=NOT_ASKED + Participant.GenderIdentity.choices, required=False, allow_blank=True
    )
    race_ethnicity = serializers.ChoiceField(
        choices=NOT_ASKED + Participant.RaceEthnicity.choices, required=False, allow_blank=True
    )
    zip3 = serializers.CharField(max_length=3, required=False, allow_blank=True)
    zip3_declined = serializers.BooleanField(required=False, default=False)
    populations = serializers.ListField(
        child=serializers.ChoiceField(choices=Characteristic.Population.choices),
        required=False,
        max_length=len(Characteristic.Population.choices),
    )
    substances = serializers.ListField(
        child=serializers.ChoiceField(choices=Characteristic.Substance.choices),
        required=False,
        max_length=len(Characteristic.Substance.choices),
    )
    routes = serializers.ListField(
        child=serializers.ChoiceField(choices=Characteristic.Route.choices),
        required=False,
        max_length=len(Characteristic.Route.choices),
    )


@extend_schema_field(
    {
        "type": "object",
        "description": "Answers to the program's code questions (see participants/questions/).",
        "properties": {key: {"type": "string", "maxLength": 60} for key in code_recipes.QUESTIONS},
        "additionalProperties": False,
    }
)
class CodeAnswersField(serializers.DictField):
    child = serializers.CharField(max_length=60, allow_blank=True)

    def to_internal_value(self, data):
        answers = super().to_internal_value(data)
        unknown = sorted(set(answers) - set(code_recipes.QUESTIONS))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown question: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return answers


class CodeAnswersSerializer(serializers.Serializer):
    """The answers a participant gives each visit; the server derives their code from them."""

    answers = CodeAnswersField()

    def validate(self, attrs):
        recipe = self.context["request"].user.program.code_recipe
        form = CodeAnswersForm(data=attrs["answers"], recipe=recipe)
        if not form.is_valid():
            raise serializers.ValidationError({"answers": _form_errors(form)})
        attrs["code"] = form.cleaned_data["code"]
        return attrs


class EnrolmentSerializer(CodeAnswersSerializer):
    """Answers for the code, and the optional profile, as on the enrolment page."""

    profile = ProfileSerializer(required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        form = ParticipantProfileForm(data=attrs.get("profile") or {})
        if not form.is_valid():
            raise serializers.ValidationError({"profile": _form_errors(form)})
        attrs["profile_fields"] = form.profile()
        attrs["characteristics"] = form.characteristics()
        return attrs


class ParticipantSerializer(serializers.ModelSerializer):
    """A participant as staff see them: pseudonymous, never a code."""

    gender_identity = serializers.ChoiceField(
        choices=NOT_ASKED + Participant.GenderIdentity.choices, read_only=True
    )
    race_ethnicity = serializers.ChoiceField(
        choices=NOT_ASKED + Participant.RaceEthnicity.choices, read_only=True
    )
    populations = serializers.SerializerMethodField()
    substances = serializers.SerializerMethodField()
    routes = serializers.SerializerMethodField()

    class Meta:
        model = Participant
        fields = [
            "public_id",
            "alias",
            "birth_year",
            "birth_year_declined",
            "gender_identity",
            "race_ethnicity",
            "zip3",
            "zip3_declined",
            "populations",
            "substances",
            "routes",
            "enrolled_at",
        ]
        read_only_fields = fields

    def _answers(self, participant: Participant, question: str) -> list[str]:
        # Reads the prefetched characteristics: no query per participant.
        return [c.value for c in participant.characteristics.all() if c.question == question]

    def get_populations(self, participant) -> list[str]:
        return self._answers(participant, Characteristic.Question.POPULATION)

    def get_substances(self, participant) -> list[str]:
        return self._answers(participant, Characteristic.Question.SUBSTANCE)

    def get_routes(self, participant) -> list[str]:
        return self._answers(participant, Characteristic.Question.ROUTE)


class RecentParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["public_id", "alias"]
        read_only_fields = fields


class CodeQuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "month", "year", "choice"])
    help_text = serializers.CharField()
    choices = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class CodeQuestionsSerializer(serializers.Serializer):
    questions = CodeQuestionSerializer(many=True)


# --- Encounters -------------------------------------------------------------------------------


class SupplyLineInSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=0, max_value=100_000)

    def validate_item(self, value: int) -> Item:
        item = lookups_from(self.context).active_items.get(value)
        if item is None:
            raise serializers.ValidationError(_("No such item in your program's catalogue."))
        return item


class EncounterInSerializer(serializers.Serializer):
    """An encounter to record, as the encounter screen or an offline queue sends it."""

    id = serializers.UUIDField(
        required=False,
        help_text=_("Made by the client; sending the same id again stores nothing new."),
    )
    occurred_at = serializers.DateTimeField(
        required=False, help_text=_("ISO 8601 with offset; now if left out.")
    )
    location = serializers.IntegerField(min_value=1)
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
    referral_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ReferralKind.choices),
        required=False,
        max_length=len(ReferralKind.choices),
    )
    note = serializers.CharField(max_length=280, required=False, allow_blank=True, default="")

    def __init__(self, *args, queued: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if queued:
            # A queued item must say who made it and when: a resend has to be recognised.
            self.fields["id"].required = True
            self.fields["occurred_at"].required = True

    def validate_location(self, value: int):
        location = lookups_from(self.context).assigned_locations.get(value)
        if location is None:
            raise serializers.ValidationError(_("No such location among those you work at."))
        return location

    def validate_participant(self, value: str | None):
        if value is None or value.strip().lower() in ("", ANONYMOUS):
            return None
        participant = lookups_from(self.context).participant(value)
        if participant is None:
            raise serializers.ValidationError(
                _("No participant %(public_id)s in your program.") % {"public_id": value}
            )
        return participant

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


class SupplyGivenSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = EncounterSupply
        fields = ["item", "item_name", "quantity"]
        read_only_fields = fields


class EncounterSerializer(serializers.ModelSerializer):
    participant = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    location_name = serializers.CharField(source="location.name", read_only=True)
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
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=ReferralKind.choices))
    )
    def get_referral_kinds(self, encounter) -> list[str]:
        return [referral.kind for referral in encounter.referrals.all()]


# --- Sync -------------------------------------------------------------------------------------


class SyncRequestSerializer(serializers.Serializer):
    """Only the envelope: each item is checked on its own, so one bad item rejects only itself."""

    items = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        max_length=MOST_SYNC_ITEMS,
        error_messages={
            "max_length": _("Send at most {max_length} items at a time."),
            "empty": _("Send at least one item."),
        },
    )


class SyncItemResultSerializer(serializers.Serializer):
    id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["created", "exists", "rejected"])
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    participant_public_id = serializers.CharField(allow_null=True)
    participant_enrolled = serializers.BooleanField()


class SyncCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    exists = serializers.IntegerField()
    rejected = serializers.IntegerField()


class SyncResponseSerializer(serializers.Serializer):
    results = SyncItemResultSerializer(many=True)
    counts = SyncCountsSerializer()


# --- Supplies and locations -------------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer):
    test_strip_kind = serializers.CharField(
        read_only=True,
        help_text="For drug checking: fentanyl, xylazine or other; blank for other items.",
    )

    class Meta:
        model = Item
        fields = [
            "id",
            "name",
            "category",
            "unit",
            "tracks_lots",
            "doses_per_unit",
            "test_strip_kind",
            "max_per_encounter",
            "display_order",
            "is_active",
        ]
        read_only_fields = fields


class KitLineSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = KitItem
        fields = ["item", "item_name", "quantity"]
        read_only_fields = fields


class KitSerializer(serializers.ModelSerializer):
    lines = KitLineSerializer(many=True, read_only=True)

    class Meta:
        model = Kit
        fields = ["id", "name", "lines"]
        read_only_fields = fields


class LocationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class StockLevelSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.name", read_only=True)
    item = serializers.IntegerField(source="lot.item_id", read_only=True)
    item_name = serializers.CharField(source="lot.item.name", read_only=True)
    lot_number = serializers.CharField(source="lot.lot_number", read_only=True)
    expires_on = serializers.DateField(source="lot.expires_on", read_only=True, allow_null=True)
    funding_source = serializers.CharField(
        source="lot.funding_source.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = StockLevel
        fields = [
            "location",
            "location_name",
            "item",
            "item_name",
            "lot",
            "lot_number",
            "expires_on",
            "funding_source",
            "on_hand",
        ]
        read_only_fields = fields


# --- Referrals --------------------------------------------------------------------------------


class ReferralSerializer(serializers.ModelSerializer):
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
    partner = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=[
            (Referral.Status.OFFERED, Referral.Status.OFFERED.label),
            (Referral.Status.MADE, Referral.Status.MADE.label),
        ],
        default=Referral.Status.MADE,
    )
    follow_up_due = serializers.DateField(required=False, allow_null=True)

    def validate_participant(self, value: str) -> Participant:
        participant = lookups_from(self.context).participant(value)
        if participant is None:
            raise serializers.ValidationError(
                _("No participant %(public_id)s in your program.") % {"public_id": value}
            )
        return participant

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


# --- Training ---------------------------------------------------------------------------------


class AttendeeSerializer(serializers.ModelSerializer):
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


class TrainingSessionSerializer(serializers.ModelSerializer):
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
    item = serializers.CharField()
    quantity = serializers.IntegerField()


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
        participant = lookups_from(self.context).participant(value)
        if participant is None:
            raise serializers.ValidationError(
                _("No participant %(public_id)s in your program.") % {"public_id": value}
            )
        return participant

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
    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=0, max_value=1000)

    def validate_item(self, value: int) -> Item:
        item = self.context["naloxone_items"].filter(pk=value).first()
        if item is None:
            raise serializers.ValidationError(_("No such naloxone item in your program."))
        return item


class TrainingSessionInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TrainingSession.Kind.choices)
    audience = serializers.ChoiceField(choices=TrainingSession.Audience.choices)
    held_on = serializers.DateField()
    place = serializers.CharField(max_length=200)
    trainer = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text=_("Managers only; default: you.")
    )
    attendee_count = serializers.IntegerField(min_value=1, max_value=10_000)
    location = serializers.IntegerField(min_value=1, required=False, allow_null=True)
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


# --- Report runs ------------------------------------------------------------------------------


class ReportDownloadsSerializer(serializers.Serializer):
    """Where to download each file of a built run (the same sign-in as this call)."""

    csv = serializers.URLField()
    xlsx = serializers.URLField()
    pdf = serializers.URLField()


class ReportRunSerializer(serializers.ModelSerializer):
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

    @extend_schema_field(
        serializers.CharField(
            allow_null=True,
            help_text=_("Who asked for it (managers only; null for a scheduled run)."),
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
