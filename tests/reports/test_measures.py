"""Every measure against the hand-built program of tests/reports/known_program.py."""

from datetime import date

import pytest

from encounters.models import Encounter
from reports import measures
from reports.measures import Scope
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import FEBRUARY, MARCH, known_program_data  # noqa: F401

pytestmark = pytest.mark.django_db


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
    "syringes_disposed": 600,  # 3 lb at 200 a pound; February's 150 is outside
    "collection_ratio": 4.55,
    "naloxone_doses": 13,  # 2 to P1, 4 + 1 for others, 3 kits of 2 at a training
    "naloxone_doses_received": 320,  # 100 kits of 2 + 100 vials at the van, 10 kits of 2
    "people_received_naloxone": 2,  # P1 and P2
    "naloxone_anonymous_encounters": 0,
    "naloxone_doses_participants": 2,
    "naloxone_doses_for_others": 5,
    "naloxone_doses_trainings": 6,
    "naloxone_refills": 2,
    "reversals_reported": 2,  # one told at an encounter, one report
    "test_strips_distributed": 5,
    "fentanyl_test_strips_distributed": 5,
    "xylazine_test_strips_distributed": 0,
    "secondary_distribution_people": 3,
    "referrals_made": 3,
    "participants_referred": 3,
    "referrals_linked": 1,
    "linkage_rate": 0.333,
    "median_days_to_linkage": 4.0,
    "trainings": 2,
    "people_trained": 32,
    "distinct_people_trained": 0,  # no attendee records (tests/reports/test_funder_measures)
    "law_enforcement_trained": 12,
    "training_knowledge_gain": None,  # no test scores (tests/training has them)
    "locations_active": 2,
    # Tested with their own rows: tests/cards, tests/community_log, tests/supplies.
    "educational_materials_distributed": 0,
    "cards_issued": 0,
    "card_verifications": 0,
    "complaints_received": 0,
    "complaints_reported_in_time": 0,
    "complaints_resolved": 0,
    "stick_injuries": 0,
    "found_syringe_reports": 0,
    "found_syringe_reports_cleaned_up": 0,
    "police_interactions": 0,
    "police_confiscations": 0,
    "police_confiscations_despite_card": 0,
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
    assert measures.compute(scope(data, FEBRUARY), ["new_participants"]) == {"new_participants": 3}
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
        # in tests/reports/test_funder_measures.py:
        "routes_of_use", "test_strips_by_kind", "naloxone_received_by_source",
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
