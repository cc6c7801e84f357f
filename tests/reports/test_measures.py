"""Every measure against a small program whose answers are known by hand.

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
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from participants.models import Characteristic, Encounter, Participant
from participants.services import SupplyLine, merge_participants, record_encounter
from referrals.models import Referral
from referrals.services import change_referral_status, make_referral
from reports import measures
from reports.measures import Scope
from supplies.models import FundingSource, SyringeCollection
from supplies.services import (
    receive_shipment,
    record_syringe_collection,
    report_overdose_reversal,
)
from tests.factories import ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.training.conftest import record_session
from training.models import TrainingSession

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def data(program_a, site_a, van_a, manager_a, catalogue_a):  # noqa: F811
    items = catalogue_a
    grant = FundingSource.objects.create(program=program_a, name="Federal grant")
    for name in (SYRINGE, NALOXONE_KIT, NALOXONE_VIAL):
        receive_shipment(
            by=manager_a,
            location=van_a,
            item=items[name],
            quantity=100,
            lot_number="V1",
            expires_on=date(2030, 1, 1),
            funding_source=grant,
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


def scope(data, period=MARCH, **filters) -> Scope:
    return Scope(program=data.program, start=period[0], end=period[1], **filters)


MARCH_ANSWERS = {
    "unduplicated_participants": 5,  # P1-P5: P3 and its merged duplicate count once
    "new_participants": 3,  # P2, P3, P5; P1 came in February, P4's duplicate too
    "encounters": 8,
    "anonymous_encounters": 1,
    "median_days_in_program": 17.2,  # 0, 1, 17.2 (P2), 23 (P1), 41.9 (P4 via D4)
    "syringes_distributed": 100,
    "syringes_collected": 455,  # 15 + 40 at encounters, 100 drop box, 1.5 lb clean-up
    "collection_ratio": 4.55,
    "naloxone_doses": 13,  # 2 to P1, 4 + 1 for others, 3 kits of 2 at a training
    "naloxone_doses_participants": 2,
    "naloxone_doses_for_others": 5,
    "naloxone_doses_trainings": 6,
    "naloxone_refills": 2,
    "reversals_reported": 2,  # one told at an encounter, one report
    "test_strips_distributed": 5,
    "secondary_distribution_people": 3,
    "referrals_made": 3,
    "referrals_linked": 1,
    "linkage_rate": 0.333,
    "median_days_to_linkage": 4.0,
    "trainings": 2,
    "people_trained": 32,
    "law_enforcement_trained": 12,
    "training_knowledge_gain": None,  # no test scores (tests/training has them)
    "locations_active": 2,
}


def test_every_measure_has_a_known_answer_for_march(data):
    assert set(MARCH_ANSWERS) == set(measures.MEASURES)
    assert measures.compute(scope(data)) == MARCH_ANSWERS


def test_every_measure_has_a_one_line_definition():
    for definition in [*measures.MEASURES.values(), *measures.BREAKDOWNS.values()]:
        text = str(definition.definition)
        assert text and "\n" not in text and text.endswith(".")


def test_compute_gives_only_the_measures_asked_for(data):
    assert measures.compute(scope(data), ["encounters", "syringes_distributed"]) == {
        "encounters": 8,
        "syringes_distributed": 100,
    }
    with pytest.raises(KeyError):
        measures.compute(scope(data), ["no_such_measure"])


def test_an_encounter_at_23_30_on_the_last_local_day_belongs_to_that_month(data):
    april = measures.compute(scope(data, (date(2025, 4, 1), date(2025, 4, 30))))
    assert april["encounters"] == 1  # only P6's at 00:30 on April 1
    assert april["syringes_distributed"] == 50
    february = measures.compute(scope(data, FEBRUARY))
    assert february["encounters"] == 3  # Feb 28 at 23:30 local is March 1 in UTC


def test_a_returning_participant_is_new_only_in_the_period_of_their_first_encounter(data):
    february = measures.compute(scope(data, FEBRUARY), ["unduplicated_participants"])
    assert february == {"unduplicated_participants": 3}  # P1, P4 (as D4), P6
    assert measures.compute(scope(data, FEBRUARY), ["new_participants"]) == {
        "new_participants": 3
    }
    both = measures.compute(scope(data, (FEBRUARY[0], MARCH[1])))
    assert both["unduplicated_participants"] == 7 - 1  # P1..P6; P1 and P4 counted once
    assert both["new_participants"] == 6


def test_previous_period_of_a_month_is_the_month_before(data):
    assert scope(data).previous() == scope(data, FEBRUARY)
    week = Scope(program=data.program, start=date(2025, 3, 10), end=date(2025, 3, 16))
    assert week.previous() == Scope(
        program=data.program, start=date(2025, 3, 3), end=date(2025, 3, 9)
    )


def test_a_location_narrows_every_measure_with_a_place(data):
    van = measures.compute(scope(data, location=data.van))
    assert van["encounters"] == 2
    assert van["unduplicated_participants"] == 1  # P2
    assert van["new_participants"] == 1  # P2's first encounter ever was on March 3
    assert van["syringes_distributed"] == 40
    assert van["syringes_collected"] == 40  # collections and trainings were at the drop-in
    assert van["naloxone_doses"] == 5
    assert van["trainings"] == 0
    assert van["reversals_reported"] == 1  # reports have no location: left out
    assert van["referrals_made"] == 0  # none was made at an encounter at the van


def test_a_kind_narrows_encounters_and_leaves_out_what_has_no_kind(data):
    mobile = measures.compute(scope(data, kind=Encounter.Kind.MOBILE_UNIT))
    assert mobile["encounters"] == 2
    assert mobile["syringes_collected"] == 40
    assert mobile["trainings"] == 0
    assert mobile["naloxone_doses_trainings"] == 0


def test_program_b_sees_nothing_of_program_a(data, program_b):
    numbers = measures.compute(Scope(program=program_b, start=MARCH[0], end=MARCH[1]))
    assert numbers["encounters"] == 0
    assert numbers["unduplicated_participants"] == 0
    assert numbers["collection_ratio"] is None
    assert numbers["median_days_in_program"] is None


def rows(data, key, **filters):
    return measures.breakdown(scope(data, **filters), key).rows


def test_encounters_by_site_count_encounters_and_people(data):
    table = measures.breakdown(scope(data), "encounters_by_site")
    assert table.rows == [("A Drop-in", [6, 5]), ("A Van", [2, 1])]
    assert table.counts_people_in(1) and not table.counts_people_in(0)


def test_encounters_by_kind(data):
    assert rows(data, "encounters_by_kind") == [("Fixed site", [6]), ("Mobile unit", [2])]


def test_age_bands_keep_declined_and_not_asked_apart(data):
    assert rows(data, "age_band") == [
        ("18-24", [1]),
        ("35-44", [1]),
        ("65 and over", [1]),
        ("Declined to answer", [1]),
        ("Not asked", [1]),
    ]


def test_gender_keeps_declined_apart_and_a_merge_keeps_the_kept_answer(data):
    assert rows(data, "gender") == [
        ("Woman", [1]),
        ("Man", [2]),
        ("Declined to answer", [1]),
        ("Not asked", [1]),
    ]


def test_race_and_ethnicity(data):
    assert rows(data, "race_ethnicity") == [
        ("Black or African American", [1]),
        ("White", [1]),
        ("Declined to answer", [1]),
        ("Not asked", [2]),
    ]


def test_zip3(data):
    assert rows(data, "zip3") == [
        ("021", [2]),
        ("024", [1]),
        ("Declined to answer", [1]),
        ("Not asked", [1]),
    ]


def test_populations_include_answers_moved_by_a_merge(data):
    assert rows(data, "populations") == [
        ("People who use drugs", [2]),
        ("Unhoused", [2]),  # P1, and P4 through D4's answer
        ("Declined to answer", [1]),
        ("Not asked", [1]),
    ]


def test_substances(data):
    assert rows(data, "substances") == [
        ("Fentanyl", [2]),
        ("Methamphetamine or other stimulants", [1]),
        ("Not asked", [3]),
    ]


def test_supplies_by_category(data):
    assert rows(data, "supplies_by_category") == [
        ("Syringes", [100]),
        ("Naloxone", [4]),
        ("Drug checking", [5]),
        ("Sexual health", [10]),
    ]


def test_supplies_by_funding_source_follow_the_lot_they_came_from(data):
    table = measures.breakdown(scope(data), "supplies_by_funding_source")
    assert table.columns == ["Syringes", "Naloxone", "Drug checking", "Sexual health"]
    assert table.rows == [
        ("Federal grant", [40, 3, 0, 0]),
        ("No funding source", [60, 4, 5, 10]),  # 1 kit at E4, 3 at the training
    ]


def test_naloxone_doses_by_recipient_count_a_two_dose_kit_twice(data):
    assert rows(data, "naloxone_doses_by_recipient") == [
        ("To participants", [2]),
        ("For others (secondary distribution)", [5]),
        ("At trainings", [6]),
    ]


def test_refill_reasons(data):
    assert rows(data, "refill_reasons") == [("Used it", [1]), ("Lost or taken", [1])]


def test_syringes_collected_by_source(data):
    assert rows(data, "syringes_collected_by_source") == [
        ("At encounters", [55]),
        ("Drop box", [100]),
        ("Community clean-up", [300]),
    ]


def test_referrals_by_kind_and_status(data):
    table = measures.breakdown(scope(data), "referrals_by_kind_status")
    assert table.columns == ["Offered", "Made", "Linked", "Completed", "Declined",
                             "Lost to follow-up"]  # fmt: skip
    assert table.rows == [
        ("Housing", [0, 0, 1, 0, 0, 0]),
        ("Substance use treatment / MOUD", [0, 1, 0, 0, 0, 0]),
        ("Mental health", [0, 0, 0, 0, 1, 0]),
    ]


def test_trainings_by_audience(data):
    assert rows(data, "trainings_by_audience") == [
        ("Community members", [1, 20]),
        ("Law enforcement", [1, 12]),
    ]


def test_trainings_by_kind(data):
    assert rows(data, "trainings_by_kind") == [
        ("Overdose prevention and naloxone", [1, 20]),
        ("Law enforcement: the state harm reduction law", [1, 12]),
    ]


def test_every_breakdown_is_tested_here():
    tested = {
        "encounters_by_site", "encounters_by_kind", "age_band", "gender", "race_ethnicity",
        "zip3", "populations", "substances", "supplies_by_category",
        "supplies_by_funding_source", "naloxone_doses_by_recipient", "refill_reasons",
        "syringes_collected_by_source", "referrals_by_kind_status", "trainings_by_audience",
        "trainings_by_kind",
    }  # fmt: skip
    assert tested == set(measures.BREAKDOWNS)


def test_weekly_trend_buckets_by_monday_in_local_time(data):
    weeks = measures.trend(
        scope(data), ["encounters", "new_participants", "naloxone_doses"], grain="week"
    )
    assert [start for start, _numbers in weeks] == [
        date(2025, 2, 24),
        date(2025, 3, 3),
        date(2025, 3, 10),
        date(2025, 3, 17),
        date(2025, 3, 24),
        date(2025, 3, 31),
    ]
    assert sum(numbers["encounters"] for _start, numbers in weeks) == 8
    assert weeks[0][1] == {"encounters": 0, "new_participants": 0, "naloxone_doses": 0}
    assert weeks[-1][1] == {"encounters": 1, "new_participants": 1, "naloxone_doses": 0}
    assert weeks[1][1]["naloxone_doses"] == 2 + 6  # E4 and the training of March 8


def test_monthly_trend_matches_compute_for_each_month(data):
    months = measures.trend(
        scope(data, (FEBRUARY[0], MARCH[1])),
        ["encounters", "unduplicated_participants", "syringes_distributed", "syringes_collected"],
        grain="month",
    )
    assert months == [
        (
            date(2025, 2, 1),
            {
                "encounters": 3,
                "unduplicated_participants": 3,
                "syringes_distributed": 35,
                "syringes_collected": 77,
            },
        ),
        (
            date(2025, 3, 1),
            {
                "encounters": 8,
                "unduplicated_participants": 5,
                "syringes_distributed": 100,
                "syringes_collected": 455,
            },
        ),
    ]


def test_grouped_trends_agree_with_compute_month_by_month(data):
    keys = sorted(measures.GROUPABLE)
    months = measures.trend(scope(data, (FEBRUARY[0], MARCH[1])), keys, grain="month")

    assert [numbers for _start, numbers in months] == [
        measures.compute(scope(data, FEBRUARY), keys),
        measures.compute(scope(data), keys),
    ]


def test_by_location_agrees_with_compute_for_each_location(data):
    keys = sorted(measures.GROUPABLE)
    sites = measures.by_location(scope(data), keys)

    assert [location for location, _numbers in sites] == [data.site, data.van]
    for location, numbers in sites:
        assert numbers == measures.compute(scope(data, location=location), keys)
    assert sites[1][1]["naloxone_doses"] == 5
