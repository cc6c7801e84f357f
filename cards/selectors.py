"""Reads about participant cards, scoped to what the requesting user may see."""

from django.db.models import QuerySet

from accounts.models import Program, User
from cards.models import CardSettings, ParticipantCard
from participants.models import Participant


def cards_for(user: User) -> QuerySet[ParticipantCard]:
    """Cards of the user's program's participants (not of forgotten ones); none for funders
    and administrators."""
    if not user.is_authenticated or not user.is_program_staff:
        return ParticipantCard.objects.none()
    return ParticipantCard.objects.filter(
        program_id=user.program_id, participant__anonymised_at__isnull=True
    )


def active_card(participant: Participant) -> ParticipantCard | None:
    """The participant's newest valid card, if any (after a merge there may be two)."""
    return (
        ParticipantCard.objects.filter(participant=participant, revoked_at__isnull=True)
        .order_by("-issued_at", "-id")
        .first()
    )


def card_history(participant: Participant) -> QuerySet[ParticipantCard]:
    return ParticipantCard.objects.filter(participant=participant).order_by("-issued_at", "-id")


def card_settings_for(program: Program) -> CardSettings:
    """The program's card settings, or empty ones (unsaved) before a manager sets them."""
    return CardSettings.objects.filter(program=program).first() or CardSettings(program=program)
