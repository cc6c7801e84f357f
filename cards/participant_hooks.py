"""What cards add to participants: the card section of their page, and the "print their card"
button shown right after someone is enrolled on the encounter screen, and one valid card left
after a merge."""

from django.utils import timezone

from cards.models import ParticipantCard
from cards.selectors import active_card, card_settings_for
from participants.models import Participant
from participants.pages import ParticipantSection


def _card_of(participant: Participant) -> dict:
    return {
        "card": active_card(participant),
        "card_settings": card_settings_for(participant.program),
    }


CARD = ParticipantSection(order=5, template="cards/_participant_card.html", context=_card_of)
PRINT_CARD_PROMPT = "cards/_print_card_prompt.html"


def resolve_cards_at_merge(*, by, keep: Participant, duplicate: Participant) -> dict[str, int]:
    """Both have a valid card: the duplicate's are revoked as replaced, so the kept participant
    ends with one valid card (theirs) and the duplicate's token answers "not valid"."""
    if not ParticipantCard.objects.filter(participant=keep, revoked_at__isnull=True).exists():
        return {}
    revoked = ParticipantCard.objects.filter(participant=duplicate, revoked_at__isnull=True).update(
        revoked_at=timezone.now(),
        revoked_by=by,
        revoked_because=ParticipantCard.RevokedBecause.REPLACED,
    )
    return {"cards.participantcard revoked": revoked}
