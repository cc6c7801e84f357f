"""A small program whose measures are known by hand, shared by the measure and dashboard tests.

Every measure against a small program whose answers are known by hand.

Program A (America/New_York) in March 2025, with February before it and April after:

| encounter | who | local time | where | given |
| --- | --- | --- | --- | --- |
| E1 | P1 | Feb 10 10:00 | drop-in | 10 syringes |
| E2 | D4 (later merged into P4) | Feb 1 11:00 | drop-in | 5 syringes |
| E3 | P6 | Feb 28 23:30 | drop-in | 20 syringes |
| E4 | P1 | Mar 5 10:00 | drop-in | 20 syringes, one 2-dose kit (refill: used), 15 collected |
| E5 | P2 | Mar 3 09:00 | drop-in | 10 syringes, 5 test strips, 10 condoms |
| E6 | P2 | Mar 20 14:00 | van | 30 syringes, two 2-dose kits, 1 vial (refill: lost), for 3 others |
| E7 | anonymous | Mar 12 15:00 | van | 10 syringes, 40 collected, 1 reversal told |
| E8 | P3 | Mar 10 10:00 | drop-in | 10 syringes |
| E9 | D3 (later merged into P3) | Mar 11 10:00 | drop-in | nothing |
| E10 | P4 | Mar 15 10:00 | drop-in | 10 syringes |
| E11 | P5 | Mar 31 23:30 (April 1 in UTC) | drop-in | 10 syringes |
| E12 | P6 | Apr 1 00:30 | drop-in | 50 syringes |

The van's stock was paid by a "Federal grant"; the drop-in's has no funding source.

Naloxone received in March: at the van on Mar 2, 100 two-dose kits and 100 vials of the Federal
grant from "Acme Pharma" (300 doses); at the drop-in on Mar 9, 10 kits with no funding source and
no supplier recorded (20 doses). Sharps disposal: Mar 18 at the drop-in, 2 containers of 3 lb
(600 syringes at 200 a pound); Feb 20 at the van, 1 container of 150 syringes counted.
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from encounters.models import Encounter
from encounters.services import SupplyLine, record_encounter
from participants.models import Characteristic, Participant
from participants.services import merge_participants
from referrals.models import Referral
from referrals.services import change_referral_status, make_referral
from supplies.field_records import (
    record_sharps_disposal,
    record_syringe_collection,
    report_overdose_reversal,
)
from supplies.models import FundingSource, StockMovement, SyringeCollection
from supplies.services import receive_shipment
from tests.factories import ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.training.conftest import record_session
from training.models import TrainingSession

NEW_YORK = ZoneInfo("America/New_York")
SYRINGE = "Syringe 1 mL 28G"
NALOXONE_KIT = "Naloxone nasal 4 mg (2-dose kit)"
NALOXONE_VIAL = "Naloxone injectable 0.4 mg"
TEST_STRIP = "Fentanyl test strip"
CONDOMS = "Condoms"
C = Characteristic
G = Participant.GenderIdentity
R = Participant.RaceEthnicity
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
FEBRUARY = (date(2025, 2, 1), date(2025, 2, 28))


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(date(2025, month, day), time(hour, minute), tzinfo=NEW_YORK)


class Program:
    """What the tests look at: the program, its places, people and encounters."""


@pytest.fixture(name="data")
def known_program_data(program_a, site_a, van_a, manager_a, catalogue_a):  # noqa: F811
    items = catalogue_a
    grant = FundingSource.objects.create(program=program_a, name="Federal grant")
    for name in (SYRINGE, NALOXONE_KIT, NALOXONE_VIAL):
        received = receive_shipment(
            by=manager_a,
            location=van_a,
            item=items[name],
            quantity=100,
            lot_number="V1",
            expires_on=date(2030, 1, 1),
            funding_source=grant,
            supplier="Acme Pharma",
        )
        # The ledger stamps a receipt with the time it is recorded: date it in March.
        StockMovement.objects.filter(pk=received.pk).update(at=local(3, 2, 9))
    received = receive_shipment(
        by=manager_a,
        location=site_a,
        item=items[NALOXONE_KIT],
        quantity=10,
        lot_number="S2",
        expires_on=date(2030, 1, 1),
    )
    StockMovement.objects.filter(pk=received.pk).update(at=local(3, 9, 12))
    record_sharps_disposal(
        by=manager_a,
        location=site_a,
        disposed_on=date(2025, 3, 18),
        containers=2,
        weight_pounds=Decimal("3"),
        vendor="Safe Waste Co.",
        manifest_number="M-100",
    )
    record_sharps_disposal(
        by=manager_a,
        location=van_a,
        disposed_on=date(2025, 2, 20),
        containers=1,
        syringes_counted=150,
        manifest_number="M-099",
    )

    def person(**profile) -> Participant:
        return ParticipantFactory(program=program_a, **profile)

    def answers(participant, question, *values):
        for value in values:
            Characteristic.objects.create(participant=participant, question=question, value=value)

    p1 = person(gender_identity=G.MAN, birth_year=1990, race_ethnicity=R.WHITE, zip3="021")
    answers(p1, C.Question.POPULATION, C.Population.PEOPLE_WHO_USE_DRUGS, C.Population.UNHOUSED)
    answers(p1, C.Question.SUBSTANCE, C.Substance.FENTANYL, C.Substance.STIMULANTS)
    p2 = person(gender_identity=G.WOMAN, birth_year=2001, race_ethnicity=R.BLACK, zip3="021")
    answers(p2, C.Question.POPULATION, C.Population.PEOPLE_WHO_USE_DRUGS)
    answers(p2, C.Question.SUBSTANCE, C.Substance.FENTANYL)
    p3 = person(
        gender_identity=G.DECLINED,
        birth_year_declined=True,
        race_ethnicity=R.DECLINED,
        zip3_declined=True,
    )
    answers(p3, C.Question.POPULATION, "declined")
    d3 = person(gender_identity=G.WOMAN)
    p4 = person(birth_year=1960, zip3="024")
    d4 = person()
    answers(d4, C.Question.POPULATION, C.Population.UNHOUSED)
    p5 = person(gender_identity=G.MAN)
    p6 = person(gender_identity=G.MAN)

    def visit(who, when, *, at=site_a, given=(), **fields) -> Encounter:
        encounter, _created = record_encounter(
            by=manager_a,
            participant=who,
            location=at,
            kind=Encounter.Kind.MOBILE_UNIT if at == van_a else Encounter.Kind.FIXED_SITE,
            occurred_at=when,
            supplies=[SupplyLine(item=items[name], quantity=n) for name, n in given],
            **fields,
        )
        return encounter

    visit(p1, local(2, 10, 10), given=[(SYRINGE, 10)])
    visit(d4, local(2, 1, 11), given=[(SYRINGE, 5)])
    visit(p6, local(2, 28, 23, 30), given=[(SYRINGE, 20)])
    e4 = visit(
        p1,
        local(3, 5, 10),
        given=[(SYRINGE, 20), (NALOXONE_KIT, 1)],
        naloxone_refill_reason=Encounter.RefillReason.USED,
        syringes_collected=15,
    )
    visit(p2, local(3, 3, 9), given=[(SYRINGE, 10), (TEST_STRIP, 5), (CONDOMS, 10)])
    visit(
        p2,
        local(3, 20, 14),
        at=van_a,
        given=[(SYRINGE, 30), (NALOXONE_KIT, 2), (NALOXONE_VIAL, 1)],
        naloxone_refill_reason=Encounter.RefillReason.LOST,
        secondary_distribution_for=3,
    )
    visit(
        None,
        local(3, 12, 15),
        at=van_a,
        given=[(SYRINGE, 10)],
        syringes_collected=40,
        overdose_reversals_reported=1,
    )
    visit(p3, local(3, 10, 10), given=[(SYRINGE, 10)])
    visit(d3, local(3, 11, 10))
    visit(p4, local(3, 15, 10), given=[(SYRINGE, 10)])
    visit(p5, local(3, 31, 23, 30), given=[(SYRINGE, 10)])
    visit(p6, local(4, 1, 0, 30), given=[(SYRINGE, 50)])
    merge_participants(by=manager_a, keep=p3, duplicate=d3)
    merge_participants(by=manager_a, keep=p4, duplicate=d4)

    record_syringe_collection(
        by=manager_a,
        location=site_a,
        source=SyringeCollection.Source.DROP_BOX,
        collected_on=date(2025, 3, 14),
        counted=100,
    )
    record_syringe_collection(
        by=manager_a,
        location=site_a,
        source=SyringeCollection.Source.CLEANUP,
        collected_on=date(2025, 3, 30),
        weight_pounds=Decimal("1.5"),  # 200 syringes a pound: 300
    )
    record_syringe_collection(
        by=manager_a,
        location=site_a,
        source=SyringeCollection.Source.CLEANUP,
        collected_on=date(2025, 2, 27),
        counted=77,
    )
    reversal = {"place": "Riverside", "doses_used": 2, "outcome": "survived"}
    reversal |= {"ems_called": "no", "kit_source": "this_program"}
    report_overdose_reversal(by=manager_a, reported_on=date(2025, 3, 25), **reversal)
    report_overdose_reversal(by=manager_a, reported_on=date(2025, 2, 25), **reversal)

    record_session(
        manager_a,
        held_on=date(2025, 3, 8),
        audience=TrainingSession.Audience.COMMUNITY,
        attendee_count=20,
        location=site_a,
        kits=[(items[NALOXONE_KIT], 3)],
    )
    law = {
        "kind": TrainingSession.Kind.LAW_ENFORCEMENT,
        "audience": TrainingSession.Audience.LAW_ENFORCEMENT,
    }
    record_session(manager_a, held_on=date(2025, 3, 22), attendee_count=12, **law)
    record_session(manager_a, held_on=date(2025, 2, 15), attendee_count=99, **law)

    def referral(who, kind, made_at, *, encounter=None, status=None, linked_at=None):
        made = make_referral(by=manager_a, participant=who, kind=kind, encounter=encounter)
        if status:
            change_referral_status(by=manager_a, referral=made, status=status)
        Referral.objects.filter(pk=made.pk).update(made_at=made_at, linked_at=linked_at)

    referral(
        p1,
        "housing",
        local(3, 5, 10),
        encounter=e4,
        status=Referral.Status.LINKED,
        linked_at=local(3, 9, 10),
    )
    referral(p2, "substance_use_treatment", local(3, 3, 9))
    referral(p3, "mental_health", local(3, 10, 10), status=Referral.Status.DECLINED)
    referral(p1, "food", local(2, 10, 10))

    found = Program()
    found.program, found.site, found.van = program_a, site_a, van_a
    return found
