"""The REST endpoints under /api/v1/: thin, reading through the apps' selectors and writing
through their services, exactly as the pages do."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import code_recipes
from accounts.selectors import active_staff_of, locations_for
from api import filters, serializers
from api.lookups import Lookups
from api.services import record_encounter_from_api, sync_encounters
from core.rest.pagination import NewestFirstCursorPagination
from core.rest.permissions import IsReportReader
from core.rest.views import ApiViewMixin
from encounters import selectors as encounter_selectors
from participants import activity
from participants import selectors as participant_selectors
from participants import services as participant_services
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from reports import exports
from reports import selectors as report_selectors
from reports.downloads import run_file_response
from supplies import selectors as supply_selectors
from training import selectors as training_selectors
from training import services as training_services
from training.services import AttendeeRecord

PUBLIC_ID_PATTERN = "[A-Za-z0-9-]{1,20}"
UUID_PATTERN = "[0-9a-fA-F-]{32,36}"
RUN_ID_PATTERN = "[0-9]{1,18}"  # within a bigint: a longer number is the JSON 404 of any path


# --- Participants -----------------------------------------------------------------------------


@extend_schema(tags=["participants"])
class ParticipantViewSet(
    ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Participants of your program, by public id; enrol with the code answers."""

    serializer_class = serializers.ParticipantSerializer
    lookup_field = "public_id"
    lookup_value_regex = PUBLIC_ID_PATTERN

    @property
    def throttle_scope(self):
        return "lookup" if self.action == "lookup" else None

    def get_queryset(self):
        participants = participant_selectors.participants_for(self.request.user)
        public_id = self.request.query_params.get("public_id", "").strip()
        if self.action == "list" and public_id:
            participants = participants.filter(public_id=public_id.upper())
        return participants.prefetch_related("characteristics").order_by("public_id")

    def get_object(self):
        return get_object_or_404(
            self.get_queryset(), public_id=self.kwargs["public_id"].strip().upper()
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("public_id", str, description="Only the participant with this id.")
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=serializers.EnrolmentSerializer,
        responses={
            201: serializers.ParticipantSerializer,
            200: OpenApiResponse(
                serializers.ParticipantSerializer,
                description="The answers belong to someone already enrolled: that participant.",
            ),
        },
    )
    def create(self, request):
        """Enrol a participant, or find the one these answers already belong to."""
        enrolment = serializers.EnrolmentSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        enrolment.is_valid(raise_exception=True)
        data = enrolment.validated_data
        participant, created = participant_services.enroll_participant(
            by=request.user,
            code=data["code"],
            profile=data["profile_fields"],
            characteristics=data["characteristics"],
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=participant.pk)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=serializers.CodeAnswersSerializer,
        responses={200: serializers.ParticipantSerializer},
    )
    @action(detail=False, methods=["post"])
    def lookup(self, request):
        """The participant whose code these answers derive (404 if nobody is enrolled with it)."""
        answers = serializers.CodeAnswersSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        answers.is_valid(raise_exception=True)
        participant = participant_selectors.participant_with_code(
            request.user, answers.validated_data["code"]
        )
        if participant is None:
            raise NotFound(_("Nobody in your program has the code these answers make."))
        return Response(self.get_serializer(self.get_queryset().get(pk=participant.pk)).data)

    @extend_schema(responses={200: serializers.RecentParticipantSerializer(many=True)})
    @action(detail=False, methods=["get"], pagination_class=None)
    def recent(self, request):
        """The participants you saw most recently (for a phone's offline list)."""
        participants = activity.recently_seen_by(request.user)
        return Response(serializers.RecentParticipantSerializer(participants, many=True).data)

    @extend_schema(responses={200: serializers.CodeQuestionsSerializer})
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


# --- Encounters -------------------------------------------------------------------------------


@extend_schema(tags=["encounters"])
class EncounterViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Encounters of your program, newest first; record one with its supplies and referrals."""

    serializer_class = serializers.EncounterSerializer
    filterset_class = filters.EncounterFilter
    pagination_class = NewestFirstCursorPagination
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self):
        return encounter_selectors.encounters_for(self.request.user)

    def _with_details(self, encounters):
        return encounter_selectors.with_list_details(encounters).prefetch_related("referrals")

    def list(self, request, *args, **kwargs):
        encounters = self._with_details(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(encounters)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return get_object_or_404(self._with_details(self.get_queryset()), pk=self.kwargs["pk"])

    @extend_schema(
        request=serializers.EncounterInSerializer,
        responses={
            201: serializers.EncounterSerializer,
            200: OpenApiResponse(
                serializers.EncounterSerializer,
                description="An encounter with this id was already stored: it, unchanged.",
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Record an encounter; an id already stored returns the stored one (200), once."""
        incoming = serializers.EncounterInSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        recorded = record_encounter_from_api(by=request.user, data=incoming.validated_data)
        encounter = self._with_details(self.get_queryset()).get(pk=recorded.encounter.pk)
        return Response(
            self.get_serializer(encounter).data,
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )


@extend_schema(tags=["sync"])
class SyncView(ApiViewMixin, APIView):
    """Up to 500 encounters queued offline, each stored once; an answer per item."""

    throttle_scope = "sync"

    @extend_schema(
        request=serializers.SyncRequestSerializer,
        responses={200: serializers.SyncResponseSerializer},
        description="See the sync contract in api/README.md.",
    )
    def post(self, request):
        envelope = serializers.SyncRequestSerializer(data=request.data)
        envelope.is_valid(raise_exception=True)
        results = sync_encounters(
            by=request.user, items=envelope.validated_data["items"], request=request
        )
        counts = {"created": 0, "exists": 0, "rejected": 0}
        for result in results:
            counts[result["status"]] += 1
        return Response({"results": results, "counts": counts})


# --- Supplies and locations -------------------------------------------------------------------


@extend_schema(tags=["supplies"])
class ItemViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The items of your program's catalogue (the list: active ones, in display order)."""

    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        items = supply_selectors.items_for(self.request.user).order_by("display_order", "name")
        return items.filter(is_active=True) if self.action == "list" else items


@extend_schema(tags=["supplies"])
class KitViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Active kits: named bundles of items given with one tap."""

    serializer_class = serializers.KitSerializer

    def get_queryset(self):
        return supply_selectors.kits_for(self.request.user).order_by("name")


@extend_schema(tags=["supplies"])
class LocationViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Your program's locations; `?assigned=true`: those you may record encounters at."""

    serializer_class = serializers.LocationSerializer
    filterset_class = filters.LocationFilter

    def get_queryset(self):
        return locations_for(self.request.user).order_by("name")


@extend_schema(tags=["supplies"])
class StockLevelViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Lots on hand, by location, item and expiry (first to expire first)."""

    serializer_class = serializers.StockLevelSerializer
    filterset_class = filters.StockLevelFilter

    def get_queryset(self):
        return supply_selectors.stock_levels(self.request.user)


# --- Referrals --------------------------------------------------------------------------------


@extend_schema(tags=["referrals"])
class ReferralViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Referrals of your program; make one, or move one to a new status."""

    serializer_class = serializers.ReferralSerializer
    filterset_class = filters.ReferralFilter

    def get_queryset(self):
        return (
            referral_selectors.referrals_for(self.request.user)
            .select_related("participant", "partner", "made_by")
            .order_by("-made_at", "-id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["partners"] = referral_selectors.partners_for(self.request.user)
        return context

    @extend_schema(
        request=serializers.ReferralInSerializer,
        responses={201: serializers.ReferralSerializer},
    )
    def create(self, request, *args, **kwargs):
        incoming = serializers.ReferralInSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        referral = referral_services.make_referral(
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

    @extend_schema(
        request=serializers.ReferralStatusSerializer,
        responses={200: serializers.ReferralSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        """Move the referral to a new status (linked, completed, declined...), with a note."""
        referral = self.get_object()
        incoming = serializers.ReferralStatusSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        referral_services.change_referral_status(
            by=request.user,
            referral=referral,
            status=incoming.validated_data["status"],
            note=incoming.validated_data["note"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)


# --- Training ---------------------------------------------------------------------------------


@extend_schema(tags=["training"])
class TrainingSessionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Trainings: a manager sees the program's, outreach staff the ones they gave."""

    serializer_class = serializers.TrainingSessionSerializer
    filterset_class = filters.TrainingSessionFilter

    def get_queryset(self):
        if self.action == "list":
            return training_selectors.filtered_trainings(self.request.user)
        return training_selectors.trainings_for(self.request.user).select_related("trainer")

    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    def _detail(self, session) -> dict:
        context = {
            **self.get_serializer_context(),
            "attendees": training_selectors.session_attendees(session),
            "kits": training_selectors.session_kits(session),
        }
        return serializers.TrainingSessionDetailSerializer(session, context=context).data

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.TrainingSessionDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        request=serializers.TrainingSessionInSerializer,
        responses={201: serializers.TrainingSessionDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        context = {
            **self.get_serializer_context(),
            "lookups": Lookups(user),
            "trainers": active_staff_of(user),
            "locations": locations_for(user).filter(is_active=True),
            "naloxone_items": training_selectors.naloxone_items_for(user),
        }
        incoming = serializers.TrainingSessionInSerializer(data=request.data, context=context)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        session = training_services.record_training_session(
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
        session = (
            training_selectors.trainings_for(user).select_related("trainer").get(pk=session.pk)
        )
        return Response(self._detail(session), status=status.HTTP_201_CREATED)


# --- Report runs ------------------------------------------------------------------------------


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
    serializer_class = serializers.ReportRunSerializer
    lookup_value_regex = RUN_ID_PATTERN

    def get_queryset(self):
        return report_selectors.run_list(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "file_format",
                str,
                OpenApiParameter.PATH,
                enum=list(exports.RUN_FILE_FORMATS),
                description="Which of the run's three files.",
            )
        ],
        responses={
            (200, file.content_type.split(";")[0]): OpenApiTypes.BINARY
            for file in exports.RUN_FILE_FORMATS.values()
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=f"download/(?P<file_format>{'|'.join(exports.RUN_FILE_FORMATS)})",
        content_negotiation_class=FilesOrJsonErrors,
    )
    def download(self, request, pk=None, file_format=None):
        """One file of a built run (404 until it is built); every download is audited."""
        response = run_file_response(request, int(pk), file_format)
        if response is None:
            raise NotFound(_("No such report file."))
        return response
