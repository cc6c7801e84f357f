"""Rows of every kind a page can name by id, for one program: what the access tests point at.

`program_rows(program, outreach, manager)` makes a participant with an encounter, a referral,
a partner, a possible duplicate, a training with a certificate and a lot in stock, each made
through the services (or a factory where a service would need much more setup).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Location, User
from participants.models import Encounter, Participant, PossibleDuplicate
from referrals import services as referral_services
from referrals.models import Partner, Referral
from supplies import services as supply_services
from supplies.models import Lot
from tests.factories import EncounterFactory, ItemFactory, ParticipantFactory
from training import services as training_services
from training.models import Certificate, TrainingSession
from training.services import AttendeeRecord


@dataclass(frozen=True)
class ProgramRows:
    location: Location
    participant: Participant
    encounter: Encounter
    referral: Referral
    partner: Partner
    duplicate: PossibleDuplicate
    training: TrainingSession
    certificate: Certificate
    lot: Lot


def program_rows(*, location: Location, outreach: User, manager: User) -> ProgramRows:
    program = location.program
    participant = ParticipantFactory(program=program, alias=f"Alias of {program.name}")
    item = ItemFactory(program=program, name=f"Syringe of {program.name}")
    received = supply_services.receive_shipment(
        by=manager, location=location, item=item, quantity=50, lot_number=f"LOT-{program.pk}"
    )
    training = training_services.record_training_session(
        by=outreach,
        kind=TrainingSession.Kind.NALOXONE,
        held_on=timezone.localdate() - timedelta(days=1),
        place=f"Hall of {program.name}",
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=3,
        attendees=[AttendeeRecord(name=f"Attendee of {program.name}")],
    )
    (certificate,) = training_services.issue_certificates(by=outreach, session=training)
    return ProgramRows(
        location=location,
        participant=participant,
        # The outreach worker's own, just now: still within the undo window.
        encounter=EncounterFactory(
            program=program, participant=participant, location=location, staff=outreach
        ),
        referral=referral_services.make_referral(
            by=outreach, participant=participant, kind="housing"
        ),
        partner=referral_services.save_partner(
            by=manager, partner=Partner(name=f"Shelter of {program.name}"), services=["housing"]
        ),
        duplicate=PossibleDuplicate.objects.create(
            program=program,
            participant=participant,
            other=ParticipantFactory(program=program),
            reason=PossibleDuplicate.Reason.NEAR_CODE,
        ),
        training=training,
        certificate=certificate,
        lot=received.lot,
    )
