"""Writes about trainings: a session with the naloxone handed out, and its certificates."""

import secrets
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Location, User
from audit.services import record_action
from core.errors import DomainError
from participants.models import Participant
from supplies import services as supplies_services
from supplies.models import Item
from training.models import (
    HIGHEST_SCORE,
    VERIFICATION_CODE_ALPHABET,
    VERIFICATION_CODE_LENGTH,
    Attendee,
    Certificate,
    TrainingSession,
    certificate_valid_until,
)


class TrainingError(DomainError):
    """A training that cannot be recorded as asked; `field` names the input at fault."""


@dataclass(frozen=True)
class AttendeeRecord:
    """One person recorded at a session: a name (with agency and email) or a participant."""

    name: str = ""
    agency: str = ""
    email: str = ""
    participant: Participant | None = None
    pre_test_score: int | None = None
    post_test_score: int | None = None


def new_verification_code() -> str:
    return "".join(
        secrets.choice(VERIFICATION_CODE_ALPHABET) for _ in range(VERIFICATION_CODE_LENGTH)
    )


def _unused_verification_code() -> str:
    while True:
        code = new_verification_code()
        if not Certificate.objects.filter(code=code).exists():
            return code


def _check_staff(by: User) -> None:
    if not by.is_program_staff:
        raise TrainingError(_("Only program staff record trainings."))


def _check_attendee(by: User, record: AttendeeRecord) -> None:
    for score in (record.pre_test_score, record.post_test_score):
        if score is not None and not 0 <= score <= HIGHEST_SCORE:
            raise TrainingError(
                _("A test score is between 0 and %(highest)d.") % {"highest": HIGHEST_SCORE},
                field="attendees",
            )
    if record.participant is not None:
        if record.participant.program_id != by.program_id:
            raise TrainingError(_("No such participant in your program."), field="attendees")
        if record.name or record.agency or record.email:
            raise TrainingError(
                _("A participant is recorded by card id only, never with a name or email."),
                field="attendees",
            )


@transaction.atomic
def record_training_session(
    *,
    by: User,
    kind: str,
    held_on: date,
    place: str,
    audience: str,
    attendee_count: int,
    trainer: User | None = None,
    location: Location | None = None,
    attendees: list[AttendeeRecord] = (),
    kits: list[tuple[Item, int]] = (),
) -> TrainingSession:
    """Record a session, its attendees and the naloxone kits handed out, all or nothing.

    Kits leave the location's stock like an encounter's supplies (first expiry first out);
    if any item runs short, nothing at all is saved.
    """
    _check_staff(by)
    trainer = trainer or by
    if trainer.program_id != by.program_id or not trainer.is_program_staff:
        raise TrainingError(_("The trainer must be staff of your program."), field="trainer")
    if by.is_outreach and trainer.pk != by.pk:
        raise TrainingError(_("Record only the trainings you gave yourself."), field="trainer")
    if location is not None and location.program_id != by.program_id:
        raise TrainingError(_("No such location in your program."), field="location")
    if not place.strip():
        raise TrainingError(_("Say where the training took place."), field="place")
    if attendee_count < 1:
        raise TrainingError(_("At least one person attended."), field="attendee_count")
    if len(attendees) > attendee_count:
        raise TrainingError(
            _("%(records)d people are recorded, more than the %(count)d who attended.")
            % {"records": len(attendees), "count": attendee_count},
            field="attendee_count",
        )
    for record in attendees:
        _check_attendee(by, record)
    kits = [(item, quantity) for item, quantity in kits if quantity]
    if kits and location is None:
        raise TrainingError(_("Choose the location the naloxone kits came from."), field="location")
    for item, _quantity in kits:
        if item.category != Item.Category.NALOXONE:
            raise TrainingError(
                _("Only naloxone is handed out at trainings, not %(item)s.") % {"item": item},
                field="kits",
            )

    session = TrainingSession.objects.create(
        program_id=by.program_id,
        kind=kind,
        held_on=held_on,
        place=place.strip(),
        trainer=trainer,
        location=location,
        audience=audience,
        attendee_count=attendee_count,
        recorded_by=by,
    )
    Attendee.objects.bulk_create(
        Attendee(
            session=session,
            name=record.name.strip(),
            agency=record.agency.strip(),
            email=record.email.strip(),
            participant=record.participant,
            pre_test_score=record.pre_test_score,
            post_test_score=record.post_test_score,
        )
        for record in attendees
    )
    for item, quantity in kits:
        try:
            supplies_services.distribute_item(
                by=by, location=location, item=item, quantity=quantity, training_session=session
            )
        except supplies_services.StockError as error:
            raise TrainingError(error.message, field="kits") from error
    record_action(
        actor=by,
        action="training.session.recorded",
        target=session,
        program=by.program,
        details={
            "kind": kind,
            "attendee_count": attendee_count,
            "attendees_recorded": len(attendees),
            "kits": {str(item.pk): quantity for item, quantity in kits},
        },
    )
    return session


@transaction.atomic
def issue_certificates(*, by: User, session: TrainingSession) -> list[Certificate]:
    """Give each named attendee of the session without a certificate one; returns the new ones."""
    _check_staff(by)
    if session.program_id != by.program_id:
        raise TrainingError(_("No such training in your program."))
    # Lock the session so two clicks at once cannot issue an attendee two certificates.
    TrainingSession.objects.select_for_update().filter(pk=session.pk).first()
    waiting = list(
        session.attendees.exclude(name="").filter(certificate__isnull=True).order_by("id")
    )
    today = session.program.today()
    valid_until = certificate_valid_until(session.kind, session.held_on)
    certificates = Certificate.objects.bulk_create(
        Certificate(
            attendee=attendee,
            code=_unused_verification_code(),
            issued_on=today,
            valid_until=valid_until,
            issued_by=by,
        )
        for attendee in waiting
    )
    if certificates:
        record_action(
            actor=by,
            action="training.certificates.issued",
            target=session,
            program=session.program,
            details={"certificates": len(certificates)},
        )
    return certificates
