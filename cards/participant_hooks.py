"""What cards add to participants: the card section of their page, and the "print their card"
button shown right after someone is enrolled on the encounter screen."""

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
