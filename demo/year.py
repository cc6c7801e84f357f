"""What follows a year of demo encounters: their stock movements, referrals with follow-ups,
trainings, reversals, drop-box collections, and report runs published to the demo funder.

Encounters are bulk-written (demo/encounters.py); this module makes the rest of the program
agree with them: the stock ledger takes out what the encounters gave, so demo stock and
"supplies by funding source" match the encounters. Referrals, trainings, reversals and
collections go through their services (a few hundred calls), then get the dates they would have
had over the year.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import partial

from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from accounts.models import Location, Program, User
from demo.people import program_staff
from encounters.models import Encounter, EncounterSupply
from participants.models import Participant
from referrals import services as referral_services
from referrals.models import Partner, Referral, ReferralKind
from reports import services as report_services
from reports.models import ReportDefinition, ReportRun
from supplies import field_records
from supplies import services as supply_services
from supplies.models import Item, OverdoseReversal, StockLevel, StockMovement, SyringeCollection
from training import services as training_services
from training.models import TrainingKind, TrainingSession

DEMO_PARTNERS = [
    ("Harbor Housing Services", [ReferralKind.HOUSING, ReferralKind.BENEFITS]),
    ("Riverside Recovery Clinic", [ReferralKind.SUBSTANCE_USE_TREATMENT]),
    ("Eastside Community Health", [ReferralKind.MEDICAL_CARE, ReferralKind.HIV_HCV]),
    ("Open Door Counselling", [ReferralKind.MENTAL_HEALTH]),
    ("Neighbourhood Food Pantry", [ReferralKind.FOOD, ReferralKind.CLOTHING]),
]
REFERRAL_SHARE = 0.03  # of encounters with a known participant
# What became of referrals by now: most linked or completed, some lost, the recent ones open.
OUTCOMES = (
    (Referral.Status.LINKED, 0.3),
    (Referral.Status.COMPLETED, 0.25),
    (Referral.Status.LOST_TO_FOLLOW_UP, 0.15),
    (Referral.Status.DECLINED, 0.05),
)
TRAININGS_PER_MONTH = 2
REVERSALS = 24
COLLECTIONS_PER_MONTH = 4
AREAS = ("Downtown", "Riverside", "Eastside", "Old Town", "North End")


@transaction.atomic
def take_encounter_supplies_from_stock(*, program: Program, manager: User) -> int:
    """Stock movements for the demo encounters that have none: for each location and item, a
    shipment received at the start of the year covers what the encounters gave, then one
    'distributed' movement per supply line, at the encounter's time. Returns the lines taken."""
    lines = EncounterSupply.objects.filter(
        encounter__program=program, movements__isnull=True
    ).values_list("pk", "encounter__location_id", "item_id", "quantity", "encounter__staff_id")
    lines = list(lines)
    if not lines:
        return 0
    totals = defaultdict(int)
    for _pk, location_id, item_id, quantity, _staff in lines:
        totals[(location_id, item_id)] += quantity
    year_ago = timezone.now() - timedelta(days=366)
    locations = {location.pk: location for location in Location.objects.filter(program=program)}
    items = {item.pk: item for item in Item.objects.filter(program=program)}
    lot_of = {}
    received = []
    for (location_id, item_id), total in totals.items():
        movement = supply_services.receive_shipment(
            by=manager,
            location=locations[location_id],
            item=items[item_id],
            quantity=total,
            lot_number=f"DEMO-Y{item_id}" if items[item_id].tracks_lots else "",
            expires_on=program.today() + timedelta(days=540)
            if items[item_id].tracks_lots
            else None,
            supplier="Demo supplier",
        )
        lot_of[(location_id, item_id)] = movement.lot_id
        received.append(movement.pk)
    StockMovement.objects.filter(pk__in=received).update(at=year_ago)
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                program=program,
                location_id=location_id,
                lot_id=lot_of[(location_id, item_id)],
                kind=StockMovement.Kind.DISTRIBUTED,
                quantity=-quantity,
                by_id=staff_id,
                encounter_supply_id=pk,
            )
            for pk, location_id, item_id, quantity, staff_id in lines
        ],
        batch_size=2000,
    )
    # auto_now_add stamped them now; each takes its encounter's time.
    StockMovement.objects.filter(
        program=program, kind=StockMovement.Kind.DISTRIBUTED, encounter_supply__isnull=False
    ).update(
        at=Subquery(
            Encounter.objects.filter(supplies=OuterRef("encounter_supply")).values("occurred_at")[
                :1
            ]
        )
    )
    for (location_id, item_id), total in totals.items():
        StockLevel.objects.filter(
            location_id=location_id, lot_id=lot_of[(location_id, item_id)]
        ).update(on_hand=F("on_hand") - total)
    return len(lines)


def _day_of(moment, program: Program) -> date:
    return timezone.localtime(moment, program.tzinfo).date()


def make_referrals(*, program: Program, rng) -> int:
    """Referrals made at a few encounters of the year, with what became of them."""
    partners = []
    manager = program_staff(program).filter(role=User.Role.MANAGER).first()
    for name, kinds in DEMO_PARTNERS:
        partner = Partner.objects.filter(program=program, name=name).first()
        if partner is None:
            partner = referral_services.save_partner(
                by=manager, partner=Partner(program=program, name=name), services=kinds
            )
        partners.append((partner, kinds))
    encounters = list(
        Encounter.objects.filter(program=program, participant__isnull=False, referrals=None)
        .select_related("staff", "participant")
        .order_by("occurred_at")
    )
    chosen = [encounter for encounter in encounters if rng.random() < REFERRAL_SHARE]
    today = program.today()
    made = 0
    for encounter in chosen:
        partner, kinds = rng.choice(partners)
        kind = rng.choice(kinds)
        made_on = _day_of(encounter.occurred_at, program)
        referral = referral_services.make_referral(
            by=encounter.staff,
            participant=encounter.participant,
            kind=kind,
            partner=partner,
            encounter=encounter,
            follow_up_due=referral_services.default_follow_up_due(kind, made_on=made_on),
        )
        Referral.objects.filter(pk=referral.pk).update(made_at=encounter.occurred_at)
        made += 1
        if (today - made_on).days < 14:
            continue  # recent ones are still open: the follow-up list has work in it
        roll = rng.random()
        for status, share in OUTCOMES:
            if roll < share:
                referral_services.change_referral_status(
                    by=encounter.staff, referral=referral, status=status
                )
                break
            roll -= share
    return made


def record_trainings(*, program: Program, rng) -> int:
    """Two trainings a month over the year, some handing out naloxone kits."""
    staff = list(program_staff(program))
    naloxone = Item.objects.filter(program=program, category=Item.Category.NALOXONE).first()
    location = Location.objects.filter(program=program, is_active=True).first()
    today = program.today()
    made = 0
    for month in range(12, 0, -1):
        for _ in range(TRAININGS_PER_MONTH):
            held_on = today - timedelta(days=30 * month - rng.randrange(28))
            kind = rng.choice(
                (TrainingKind.NALOXONE, TrainingKind.NALOXONE, TrainingKind.COMMUNITY)
                + ((TrainingKind.LAW_ENFORCEMENT,) if month % 4 == 0 else ())
            )
            attendees = rng.randint(6, 25)
            trainer = rng.choice(staff)
            kits = (
                [(naloxone, rng.randint(2, attendees))] if naloxone and kind == "naloxone" else []
            )
            try:
                session = training_services.record_training_session(
                    by=trainer,
                    kind=kind,
                    held_on=held_on,
                    place=rng.choice(AREAS),
                    audience=TrainingSession.Audience.COMMUNITY
                    if kind != TrainingKind.LAW_ENFORCEMENT
                    else TrainingSession.Audience.LAW_ENFORCEMENT,
                    attendee_count=attendees,
                    trainer=trainer,
                    location=location if kits else None,
                    kits=kits,
                )
            except training_services.TrainingError:
                continue  # e.g. kits ran short at the location: the demo goes on without it
            StockMovement.objects.filter(training_session=session).update(
                at=datetime.combine(held_on, time(10), tzinfo=program.tzinfo)
            )
            made += 1
    return made


def report_reversals(*, program: Program, rng) -> int:
    """Overdose reversals participants reported over the year."""
    staff = list(program_staff(program))
    participants = list(Participant.objects.filter(program=program, anonymised_at__isnull=True))
    today = program.today()
    for _ in range(REVERSALS):
        field_records.report_overdose_reversal(
            by=rng.choice(staff),
            participant=rng.choice(participants) if participants and rng.random() < 0.6 else None,
            reported_on=today - timedelta(days=rng.randrange(365)),
            place=rng.choice(AREAS),
            doses_used=rng.choice((1, 1, 2, 2, 3)),
            outcome=rng.choice(
                (OverdoseReversal.Outcome.SURVIVED,) * 9 + (OverdoseReversal.Outcome.UNKNOWN,)
            ),
            ems_called=rng.choice(tuple(OverdoseReversal.EmsCalled.values)),
            kit_source=rng.choice(
                (OverdoseReversal.KitSource.THIS_PROGRAM,) * 3
                + (OverdoseReversal.KitSource.PHARMACY,)
            ),
        )
    return REVERSALS


def record_collections(*, program: Program, rng) -> int:
    """Drop-box collections and a few community clean-ups over the year."""
    staff = list(program_staff(program))
    locations = list(Location.objects.filter(program=program, is_active=True))
    today = program.today()
    made = 0
    for week in range(52, 0, -1):
        if rng.random() > COLLECTIONS_PER_MONTH / 4.3:
            continue
        field_records.record_syringe_collection(
            by=rng.choice(staff),
            location=rng.choice(locations),
            source=SyringeCollection.Source.DROP_BOX
            if rng.random() < 0.8
            else SyringeCollection.Source.CLEANUP,
            collected_on=today - timedelta(days=7 * week - rng.randrange(7)),
            counted=rng.randint(40, 600),
        )
        made += 1
    return made


def publish_report_runs(*, program: Program, manager: User) -> int:
    """The ready reports run for the last two full months and published to the demo funder
    (built after commit when Celery runs eagerly, as under `make run`, then published as the
    demo's manager would after reviewing them; with a real worker they wait for that review)."""
    today = program.today()
    first_of_month = today.replace(day=1)
    made = 0
    for months_back in (2, 1):
        end = first_of_month - timedelta(days=1)
        for _ in range(months_back - 1):
            end = end.replace(day=1) - timedelta(days=1)
        start = end.replace(day=1)
        for definition in ReportDefinition.objects.filter(program=program).exclude(ready_key=""):
            run = report_services.request_run(
                by=manager, definition=definition, start=start, end=end
            )
            # The build is handed over after commit: the review comes after it, in that order.
            transaction.on_commit(partial(_publish_if_built, run_id=run.pk, manager=manager))
            made += 1
    return made


def _publish_if_built(*, run_id: int, manager: User) -> None:
    run = ReportRun.objects.get(pk=run_id)
    if run.is_ready and run.published_at is None:
        report_services.publish_reviewed_run(by=manager, run=run)
