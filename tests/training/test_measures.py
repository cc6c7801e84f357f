from datetime import timedelta

import pytest

from reports import measures
from reports.measures import Scope
from tests.training.conftest import NALOXONE, TODAY, record_session
from training.models import TrainingSession
from training.services import AttendeeRecord

pytestmark = pytest.mark.django_db

Kind = TrainingSession.Kind
Audience = TrainingSession.Audience
START = TODAY - timedelta(days=90)
END = TODAY


@pytest.fixture
def quarter_of_trainings(manager_a, outreach_b, site_a, catalogue_a):
    """Program A in the last 90 days: two law-enforcement trainings (12 and 5 officers),
    a naloxone training for 30 community members with 10 kits, one for 8 participants with
    5 kits; one law-enforcement training before the period; program B's training of 40."""
    naloxone = catalogue_a[NALOXONE]
    law = {"kind": Kind.LAW_ENFORCEMENT, "audience": Audience.LAW_ENFORCEMENT}
    record_session(
        manager_a,
        **law,
        attendee_count=12,
        held_on=TODAY - timedelta(days=10),
        attendees=[
            AttendeeRecord(name="Officer One", pre_test_score=40, post_test_score=80),
            AttendeeRecord(name="Officer Two", pre_test_score=50, post_test_score=70),
            AttendeeRecord(name="Officer Three", pre_test_score=60),
        ],
    )
    record_session(manager_a, **law, attendee_count=5, held_on=START)
    record_session(
        manager_a,
        attendee_count=30,
        held_on=END,
        location=site_a,
        kits=[(naloxone, 10)],
        attendees=[AttendeeRecord(pre_test_score=70, post_test_score=100)],
    )
    record_session(
        manager_a,
        audience=Audience.PARTICIPANTS,
        attendee_count=8,
        held_on=TODAY - timedelta(days=30),
        location=site_a,
        kits=[(naloxone, 5)],
    )
    record_session(
        manager_a,
        **law,
        attendee_count=99,
        held_on=START - timedelta(days=1),
        location=site_a,
        kits=[(naloxone, 7)],
        attendees=[AttendeeRecord(pre_test_score=0, post_test_score=100)],
    )
    record_session(outreach_b, **law, attendee_count=40, held_on=TODAY - timedelta(days=5))
    return manager_a.program


def period(program, start=START, end=END) -> Scope:
    return Scope(program=program, start=start, end=end)


def test_officers_trained_add_up_the_law_enforcement_sessions_of_the_period(
    quarter_of_trainings,
):
    numbers = measures.compute(period(quarter_of_trainings), ["law_enforcement_trained"])
    assert numbers == {"law_enforcement_trained": 17}


def test_a_naloxone_training_for_the_police_counts_its_officers(manager_a, program_a):
    record_session(manager_a, audience=Audience.LAW_ENFORCEMENT, attendee_count=9)

    assert measures.compute(period(program_a), ["law_enforcement_trained"]) == {
        "law_enforcement_trained": 9
    }


def test_sessions_and_people_trained_by_kind_and_by_audience(quarter_of_trainings):
    by_kind = measures.breakdown(period(quarter_of_trainings), "trainings_by_kind")
    by_audience = measures.breakdown(period(quarter_of_trainings), "trainings_by_audience")

    assert by_kind.rows == [
        ("Overdose prevention and naloxone", [2, 38]),
        ("Law enforcement: the state harm reduction law", [2, 17]),
    ]
    assert by_audience.rows == [
        ("Participants", [1, 8]),
        ("Community members", [1, 30]),
        ("Law enforcement", [2, 17]),
    ]
    assert measures.compute(period(quarter_of_trainings), ["trainings", "people_trained"]) == {
        "trainings": 4,
        "people_trained": 55,
    }


def test_knowledge_gain_averages_post_minus_pre_over_attendees_with_both_scores(
    quarter_of_trainings,
):
    # (80 - 40), (70 - 50), (100 - 70); the officer without a post-test is left out.
    assert measures.compute(period(quarter_of_trainings), ["training_knowledge_gain"]) == {
        "training_knowledge_gain": 30.0
    }


def test_knowledge_gain_is_none_without_scores(program_a):
    numbers = measures.compute(period(program_a), ["training_knowledge_gain"])

    assert numbers == {"training_knowledge_gain": None}


def test_naloxone_doses_at_trainings_count_two_per_two_dose_kit(quarter_of_trainings):
    numbers = measures.compute(period(quarter_of_trainings), ["naloxone_doses_trainings"])

    assert numbers == {"naloxone_doses_trainings": 2 * 15}


def test_measures_are_zero_for_an_empty_period(quarter_of_trainings):
    later = TODAY + timedelta(days=1)
    empty = period(quarter_of_trainings, later, later)

    assert measures.compute(
        empty, ["law_enforcement_trained", "naloxone_doses_trainings", "trainings"]
    ) == {"law_enforcement_trained": 0, "naloxone_doses_trainings": 0, "trainings": 0}
    assert measures.breakdown(empty, "trainings_by_audience").rows == []


def test_training_measures_run_in_one_query_each(quarter_of_trainings, django_assert_num_queries):
    for key in ("law_enforcement_trained", "training_knowledge_gain", "naloxone_doses_trainings"):
        with django_assert_num_queries(1):
            measures.compute(period(quarter_of_trainings), [key])
