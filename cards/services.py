"""Writes about participant cards: issue, replace, revoke, the answer of the public check page,
and a program's card settings. Each is audited; a check never says who checked."""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import record_action
from cards.models import CardSettings, CardVerification, ParticipantCard
from core.errors import DomainError
from participants.models import Participant
from participants.services import PUBLIC_ID_ALPHABET

TOKEN_BYTES = 24  # 192 random bits in the QR code's address
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # URL-safe base64, as new_card_token makes
SHORT_CODE_LENGTH = 10  # about 50 random bits to type, behind the check page's rate limit

Because = ParticipantCard.RevokedBecause


class CardError(DomainError):
    """A card that cannot be issued, replaced or revoked as asked."""


@dataclass(frozen=True)
class CardCheck:
    """What the public check page may say: valid or not, and for a valid card only the
    program's name and phone, the issue date and the program's legal text."""

    valid: bool
    program_name: str = ""
    program_phone: str = ""
    issued_on: date | None = None
    legal_texts: dict[str, str] = field(default_factory=dict)


def new_card_token() -> str:
    """A random token for the card's address; nothing about the participant goes into it."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_short_code() -> str:
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def normalise_short_code(text: str) -> str:
    """What a person typed ("7k3qx 9m2pa", "7K3QX-9M2PA") as stored ("7K3QX9M2PA")."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _unused_codes() -> tuple[str, str]:
    while True:
        token, short_code = new_card_token(), new_short_code()
        taken = ParticipantCard.objects.filter(token=token) | ParticipantCard.objects.filter(
            short_code=short_code
        )
        if not taken.exists():
            return token, short_code


def _check_may_act(by: User, participant: Participant) -> None:
    if not by.is_program_staff or participant.program_id != by.program_id:
        raise CardError(_("Only staff of the participant's program can make or change a card."))
    if participant.anonymised_at is not None:
        raise CardError(_("An anonymised participant cannot have a card."))


def _new_card(*, by: User, participant: Participant) -> ParticipantCard:
    token, short_code = _unused_codes()
    return ParticipantCard.objects.create(
        program_id=participant.program_id,
        participant=participant,
        token=token,
        short_code=short_code,
        issued_on=participant.program.today(),
        issued_by=by,
    )


def _revoke(cards, *, by: User | None, because: str) -> list[int]:
    ids = [card.pk for card in cards]
    ParticipantCard.objects.filter(pk__in=ids, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by, revoked_because=because
    )
    return ids


def _active_cards(participant: Participant):
    return ParticipantCard.objects.select_for_update().filter(
        participant=participant, revoked_at__isnull=True
    )


@transaction.atomic
def issue_card(*, by: User, participant: Participant) -> ParticipantCard:
    """A first card for a participant who has none that is valid."""
    _check_may_act(by, participant)
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    if _active_cards(participant).exists():
        raise CardError(
            _("%(public_id)s already has a valid card. Replace it if it was lost.")
            % {"public_id": participant.public_id},
            field="participant",
        )
    card = _new_card(by=by, participant=participant)
    record_action(
        actor=by,
        action="cards.card.issued",
        target=participant,
        program=participant.program,
        details={"card_id": card.pk},
    )
    return card


@transaction.atomic
def reissue_card(
    *, by: User, participant: Participant, because: str = Because.LOST
) -> ParticipantCard:
    """A new card in place of a lost one: the old card's token and code stop being valid."""
    _check_may_act(by, participant)
    if because not in Because.values:
        raise CardError(_("Choose why the card is replaced."), field="because")
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    revoked = _revoke(list(_active_cards(participant)), by=by, because=because)
    card = _new_card(by=by, participant=participant)
    record_action(
        actor=by,
        action="cards.card.reissued",
        target=participant,
        program=participant.program,
        details={"card_id": card.pk, "revoked_card_ids": revoked, "because": because},
    )
    return card


@transaction.atomic
def revoke_card(*, by: User, card: ParticipantCard, because: str) -> ParticipantCard:
    """Withdraw a card without a new one: its page says "not valid" from now on."""
    if not by.is_program_staff or card.program_id != by.program_id:
        raise CardError(_("Only staff of the participant's program can withdraw its card."))
    if because not in Because.values or because == Because.REPLACED:
        raise CardError(_("Choose why the card is withdrawn."), field="because")
    card = ParticipantCard.objects.select_for_update().get(pk=card.pk)
    if not card.is_active:
        raise CardError(_("This card was already withdrawn."))
    _revoke([card], by=by, because=because)
    card.refresh_from_db()
    record_action(
        actor=by,
        action="cards.card.revoked",
        target=card.participant,
        program=card.program,
        details={"card_id": card.pk, "because": because},
    )
    return card


def _card_named(*, token: str, short_code: str) -> ParticipantCard | None:
    cards = ParticipantCard.objects.select_related("program", "participant")
    if token:
        return cards.filter(token=token).first() if TOKEN_SHAPE.fullmatch(token) else None
    code = normalise_short_code(short_code)
    if len(code) != SHORT_CODE_LENGTH:
        return None
    return cards.filter(short_code=code).first()


@transaction.atomic
def verify_card(*, token: str = "", short_code: str = "") -> CardCheck:
    """Answer the public check page for a card's token (from the QR code) or short code.

    A known card's check is counted and audited for its program with no person, no address and
    no card named; an unknown token is nobody's and leaves no trace. A revoked card, and the
    card of a participant who was since forgotten, answer exactly like an unknown one.
    """
    card = _card_named(token=token, short_code=short_code)
    if card is None:
        return CardCheck(valid=False)
    program = card.program
    valid = card.is_active and card.participant.anonymised_at is None
    CardVerification.objects.create(program=program, checked_on=program.today(), valid=valid)
    record_action(
        actor=None,
        action="cards.card.verified",
        program=program,
        ip_address="",  # stored as no address at all: who checked is nobody's business
        details={"valid": valid},
    )
    if not valid:
        return CardCheck(valid=False)
    card_settings = CardSettings.objects.filter(program=program).first() or CardSettings()
    return CardCheck(
        valid=True,
        program_name=program.name,
        program_phone=card_settings.phone,
        issued_on=card.issued_on,
        legal_texts={"en": card_settings.legal_text_en, "es": card_settings.legal_text_es},
    )


@transaction.atomic
def update_card_settings(
    *,
    by: User,
    phone: str,
    legal_text_en: str,
    legal_text_es: str,
    legal_text_reviewed: bool,
) -> CardSettings:
    """Change what the manager's program prints on its cards."""
    if not by.is_manager:
        raise CardError(_("Only a manager can change the program's cards."))
    card_settings, _created = CardSettings.objects.select_for_update().get_or_create(
        program_id=by.program_id
    )
    values = {
        "phone": phone.strip(),
        "legal_text_en": legal_text_en.strip(),
        "legal_text_es": legal_text_es.strip(),
        "legal_text_reviewed": legal_text_reviewed,
    }
    changed = sorted(
        name for name, value in values.items() if getattr(card_settings, name) != value
    )
    for name, value in values.items():
        setattr(card_settings, name, value)
    card_settings.updated_by = by
    card_settings.save()
    record_action(
        actor=by,
        action="cards.settings.changed",
        target=card_settings,
        program=by.program,
        details={"changed": changed},
    )
    return card_settings
