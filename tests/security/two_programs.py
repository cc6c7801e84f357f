"""Rows of every kind a page can name by id, for one program: what the access tests point at.

`program_rows(location, outreach, manager, funder)` makes a participant with an encounter, a
referral, a partner, a possible duplicate, a training with a certificate, a lot in stock, a kit,
an API token, a report definition with a built run (published to an organisation of `funder`,
if one is given) and the public community page turned on, each made through the services (or a
factory where a service would need much more setup).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Location, User
from api import services as api_services
from api.models import ApiToken
from cards import services as card_services
from cards.models import ParticipantCard
from community_log import services as community_log_services
from community_log.models import Complaint, FoundSyringeReport, PoliceInteraction, StickInjury
from encounters.models import Encounter
from participants.models import Participant, PossibleDuplicate
from referrals import services as referral_services
from referrals.models import Partner, Referral
from reports import community as report_community
from reports import services as report_services
from reports.models import (
    CommunityReportSetting,
    FunderOrganisation,
    ReportDefinition,
    ReportRun,
)
from supplies import services as supply_services
from supplies.models import Kit, KitItem, Lot
from tests.factories import EncounterFactory, ItemFactory, ParticipantFactory
from training import services as training_services
from training.models import Certificate, TrainingSession
from training.services import AttendeeRecord


@dataclass(frozen=True)
class ProgramRows:
    location: Location
    outreach: User
    manager: User
    participant: Participant
    encounter: Encounter
    referral: Referral
    partner: Partner
    duplicate: PossibleDuplicate
    training: TrainingSession
    certificate: Certificate
    lot: Lot
    kit: Kit
    token: ApiToken
    definition: ReportDefinition
    run: ReportRun
    community: CommunityReportSetting
    card: ParticipantCard
    complaint: Complaint
    found_syringes: FoundSyringeReport
    stick_injury: StickInjury
    police_interaction: PoliceInteraction


def _report_rows(*, manager: User, funder: User | None):
    """A definition (published to `funder`'s organisation, if any), one run built and
    published, and the program's public community page showing it."""
    program = manager.program
    published_to = []
    if funder is not None:
        organisation = FunderOrganisation.objects.create(name=f"Funder of {program.name}")
        organisation.members.add(funder)
        published_to.append(organisation)
    definition = report_services.save_definition(
        by=manager,
        name=f"Report of {program.name}",
        measure_keys=["unduplicated_participants", "encounters", "syringes_distributed"],
        breakdown_keys=["encounters_by_site"],
        published_to=published_to,
        schedule=ReportDefinition.Schedule.MONTHLY,
        run_on_day=5,
    )
    today = report_services.program_today(program)
    run = report_services.request_run(
        by=manager, definition=definition, start=today - timedelta(days=7), end=today
    )
    # The worker's job, done here: in a test transaction on_commit never fires.
    report_services.build_run(run.pk)
    report_services.publish_reviewed_run(by=manager, run=ReportRun.objects.get(pk=run.pk))
    community = report_community.set_community_report(
        by=manager,
        enabled=True,
        definition=definition,
        period=CommunityReportSetting.Period.MONTH,
    )
    return definition, ReportRun.objects.get(pk=run.pk), community


def program_rows(
    *, location: Location, outreach: User, manager: User, funder: User | None = None
) -> ProgramRows:
    program = location.program
    participant = ParticipantFactory(program=program, alias=f"Alias of {program.name}")
    item = ItemFactory(program=program, name=f"Syringe of {program.name}")
    received = supply_services.receive_shipment(
        by=manager, location=location, item=item, quantity=50, lot_number=f"LOT-{program.pk}"
    )
    training = training_services.record_training_session(
        by=outreach,
        kind=TrainingSession.Kind.NALOXONE,
        held_on=program.today() - timedelta(days=1),
        place=f"Hall of {program.name}",
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=3,
        attendees=[AttendeeRecord(name=f"Attendee of {program.name}")],
    )
    (certificate,) = training_services.issue_certificates(by=outreach, session=training)
    kit = Kit.objects.create(program=program, name=f"Kit of {program.name}")
    KitItem.objects.create(kit=kit, item=item, quantity=10)
    token, _plain = api_services.create_token(by=manager, user=outreach, name="Access tests")
    definition, run, community = _report_rows(manager=manager, funder=funder)
    card = card_services.issue_card(by=outreach, participant=participant)
    complaint = community_log_services.record_complaint(
        by=outreach,
        received_at=timezone.now() - timedelta(hours=1),
        source_kind="resident",
        what=f"Syringes near {program.name}",
    )
    found_syringes = community_log_services.record_found_syringes(
        by=outreach,
        reported_on=program.today(),
        source_kind="resident",
        place=f"Park of {program.name}",
    )
    return ProgramRows(
        outreach=outreach,
        manager=manager,
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
        kit=kit,
        token=token,
        definition=definition,
        run=run,
        community=community,
        card=card,
        complaint=complaint,
        found_syringes=found_syringes,
        stick_injury=community_log_services.record_stick_injury(
            by=outreach, occurred_on=program.today(), injured_person="community_member"
        ),
        police_interaction=community_log_services.record_police_interaction(
            by=outreach, occurred_on=program.today(), kind="stop"
        ),
    )
