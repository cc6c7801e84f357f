"""The participants' endpoints (/api/v1/participants/): read by public id, enrol or look up by
the code answers (checked by the pages' own forms, so the API accepts what the pages accept), the
worker's recent list and the code questions; and the participant lookups other apps' serializers
resolve public ids with."""

import re

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts import code_recipes
from audit.services import record_read
from core.rest.lookups import Lookups
from core.rest.serializers import ModelSerializer
from core.rest.views import ApiViewMixin
from participants import activity, selectors, services
from participants.forms import CodeAnswersForm, ParticipantProfileForm
from participants.models import Characteristic, Participant
from security.code_guesses import spend_code_guess

PUBLIC_ID_PATTERN = "[A-Za-z0-9-]{1,20}"
NOT_ASKED = [("", gettext_lazy("Not asked"))]


class ParticipantLookups(Lookups):
    """Participants of the user's program by public id, each read once per request."""

    def __init__(self, user):
        super().__init__(user)
        self._participants: dict[str, Participant | None] = {}

    def participant(self, public_id: str) -> Participant | None:
        """The participant with this id, or the one it was merged into (a phone that queued
        encounters offline may still hold the id merged away meanwhile)."""
        public_id = public_id.strip().upper()
        if public_id not in self._participants:
            self._participants[public_id] = (
                selectors.participants_for(self.user).filter(public_id=public_id).first()
                or selectors.merged_into(self.user, public_id)
                if re.fullmatch(PUBLIC_ID_PATTERN, public_id)
                else None  # no id has that shape (a NUL byte would not even reach the database)
            )
        return self._participants[public_id]

    def prefetch_participants(self, public_ids: set[str]) -> None:
        """Read every participant a batch names in one query."""
        wanted = {
            public_id
            for value in public_ids
            if re.fullmatch(PUBLIC_ID_PATTERN, public_id := value.strip().upper())
        } - set(self._participants)
        if not wanted:
            return
        found = {
            participant.public_id: participant
            for participant in selectors.participants_for(self.user).filter(public_id__in=wanted)
        }
        for public_id in wanted:
            self._participants[public_id] = found.get(public_id) or selectors.merged_into(
                self.user, public_id
            )


def participant_named(lookups: ParticipantLookups, public_id: str) -> Participant:
    """The participant of the user's program with this public id, else a validation error."""
    participant = lookups.participant(public_id)
    if participant is None:
        raise serializers.ValidationError(
            _("No participant %(public_id)s in your program.") % {"public_id": public_id}
        )
    return participant


def _form_errors(form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): list(messages)
        for field, messages in form.errors.items()
    }


# --- Serializers ------------------------------------------------------------------------------


class ProfileSerializer(serializers.Serializer):
    """Optional answers about a participant; each can be declined, none is required."""

    alias = serializers.CharField(max_length=60, required=False, allow_blank=True)
    birth_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1900, max_value=2100
    )  # the profile form then checks the person's age
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


class ParticipantSerializer(ModelSerializer):
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
            *Participant.PROFILE_FIELDS,
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


class RecentParticipantSerializer(ModelSerializer):
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


# --- Endpoints --------------------------------------------------------------------------------


@extend_schema(tags=["participants"])
class ParticipantViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Participants of your program, by public id; enrol with the code answers."""

    serializer_class = ParticipantSerializer
    lookup_field = "public_id"
    lookup_value_regex = PUBLIC_ID_PATTERN

    @property
    def throttle_scope(self):
        return "lookup" if self.action == "lookup" else None

    def get_queryset(self):
        participants = selectors.participants_for(self.request.user)
        public_id = self.request.query_params.get("public_id", "").strip()
        if self.action == "list" and public_id:
            participants = participants.filter(public_id=public_id.upper())
        return participants.prefetch_related("characteristics").order_by("public_id")

    def get_object(self):
        """By public id; an id merged away answers with the participant it was merged into,
        whose own public id the answer carries."""
        public_id = self.kwargs["public_id"].strip().upper()
        found = self.get_queryset().filter(public_id=public_id).first()
        found = found or selectors.merged_into(self.request.user, public_id)
        if found is None:
            raise Http404
        return found

    def _record_read(self, participant: Participant, how: str) -> None:
        """A participant's data read through the API is logged as a page read is."""
        record_read(
            request=self.request,
            action="participants.participant.viewed",
            target=participant,
            details={"api": how},
        )

    def retrieve(self, request, *args, **kwargs):
        participant = self.get_object()
        self._record_read(participant, "detail")
        return Response(self.get_serializer(participant).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("public_id", str, description="Only the participant with this id.")
        ]
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        if request.query_params.get("public_id", "").strip():
            # Finding someone by their id is reading their record.
            for participant in page:
                self._record_read(participant, "public_id")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=EnrolmentSerializer,
        responses={
            201: ParticipantSerializer,
            200: OpenApiResponse(
                ParticipantSerializer,
                description="The answers belong to someone already enrolled: that participant.",
            ),
        },
    )
    def create(self, request):
        """Enrol a participant, or find the one these answers already belong to."""
        enrolment = EnrolmentSerializer(data=request.data, context=self.get_serializer_context())
        enrolment.is_valid(raise_exception=True)
        data = enrolment.validated_data
        spend_code_guess(user=request.user)
        participant, created = services.enroll_participant(
            by=request.user,
            code=data["code"],
            profile=data["profile_fields"],
            characteristics=data["characteristics"],
        )
        if not created:
            self._record_read(participant, "enrolment")
        return Response(
            self.get_serializer(self.get_queryset().get(pk=participant.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=CodeAnswersSerializer, responses={200: ParticipantSerializer})
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """The participant whose code these answers derive (404 if nobody is enrolled with it)."""
        answers = CodeAnswersSerializer(data=request.data, context=self.get_serializer_context())
        answers.is_valid(raise_exception=True)
        spend_code_guess(user=request.user)
        participant = selectors.participant_with_code(request.user, answers.validated_data["code"])
        if participant is None:
            raise NotFound(_("Nobody in your program has the code these answers make."))
        self._record_read(participant, "lookup")
        return Response(self.get_serializer(self.get_queryset().get(pk=participant.pk)).data)

    @extend_schema(responses={200: RecentParticipantSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def recent(self, request):
        """The participants you saw most recently (for a phone's offline list)."""
        participants = activity.recently_seen_by(request.user)
        return Response(RecentParticipantSerializer(participants, many=True).data)

    @extend_schema(responses={200: CodeQuestionsSerializer})
    @action(detail=False, methods=["get"], pagination_class=None)
    def questions(self, request):
        """The questions of your program's code recipe, in order."""
        recipe = request.user.program.code_recipe
        questions = []
        for key in code_recipes.recipe_questions(recipe):
            question = code_recipes.QUESTIONS[key]
            questions.append(
                {
                    "key": key,
                    "label": str(question.label),
                    "kind": question.kind,
                    "help_text": str(question.help_text),
                    "choices": [[value, str(label)] for value, label in question.choices],
                }
            )
        return Response({"questions": questions})
