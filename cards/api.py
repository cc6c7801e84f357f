"""The cards' API: the program's cards, making a first one, replacing and withdrawing one,
through the same selectors and services as the pages. Registered in api/urls.py."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cards import selectors, services
from cards.models import ParticipantCard
from core.rest.serializers import ModelSerializer
from participants.selectors import participants_for

Because = ParticipantCard.RevokedBecause


class ParticipantCardSerializer(ModelSerializer):
    participant = serializers.SlugRelatedField(slug_field="public_id", read_only=True)
    check_code = serializers.CharField(source="display_code", read_only=True)
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = ParticipantCard
        fields = [
            "id",
            "participant",
            "check_code",
            "issued_on",
            "revoked_at",
            "revoked_because",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, card) -> str | None:
        """Where a signed-in person prints the card; none once it is revoked."""
        return reverse("cards:pdf", args=[card.pk]) if card.is_active else None


class CardInSerializer(serializers.Serializer):
    participant = serializers.CharField(max_length=20, help_text=_("The public id."))


class ReplaceInSerializer(serializers.Serializer):
    because = serializers.ChoiceField(
        choices=[Because.LOST, Because.REPLACED], default=Because.LOST
    )


class WithdrawInSerializer(serializers.Serializer):
    because = serializers.ChoiceField(
        choices=[(value, label) for value, label in Because.choices if value != Because.REPLACED]
    )


@extend_schema(tags=["cards"])
class ParticipantCardViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Participant cards of your program (the token in the QR code is never shown); make a
    participant's first card, replace a lost one, withdraw one."""

    serializer_class = ParticipantCardSerializer
    lookup_value_regex = "[0-9]{1,18}"  # a row id; anything else is the JSON 404 of any path

    def get_queryset(self):
        cards = selectors.cards_for(self.request.user).select_related("participant")
        public_id = self.request.query_params.get("participant", "").strip().upper()
        if self.action == "list" and public_id:
            cards = cards.filter(participant__public_id=public_id)
        return cards.order_by("-issued_at", "-id")

    def _participant(self, public_id: str):
        participant = participants_for(self.request.user).filter(
            public_id=public_id.strip().upper()
        )
        found = participant.first()
        if found is None:
            raise serializers.ValidationError(
                {"participant": [_("No participant with this public id in your program.")]}
            )
        return found

    @extend_schema(request=CardInSerializer, responses={201: ParticipantCardSerializer})
    def create(self, request, *args, **kwargs):
        incoming = CardInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        participant = self._participant(incoming.validated_data["participant"])
        card = services.issue_card(by=request.user, participant=participant)
        return Response(self.get_serializer(card).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReplaceInSerializer, responses={201: ParticipantCardSerializer})
    @action(detail=True, methods=["post"])
    def replace(self, request, pk=None):
        """A new card for the same participant; this one stops being valid."""
        card = get_object_or_404(self.get_queryset().filter(revoked_at__isnull=True), pk=pk)
        incoming = ReplaceInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        new_card = services.reissue_card(
            by=request.user,
            participant=card.participant,
            because=incoming.validated_data["because"],
        )
        return Response(self.get_serializer(new_card).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WithdrawInSerializer, responses={200: ParticipantCardSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        card = self.get_object()
        incoming = WithdrawInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        card = services.revoke_card(
            by=request.user, card=card, because=incoming.validated_data["because"]
        )
        return Response(self.get_serializer(card).data)
