from datetime import timedelta

import pytest

from tests.training.conftest import NALOXONE, TODAY, record_session
from training import measures
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


def test_officers_trained_add_up_the_law_enforcement_sessions_of_the_period(
    quarter_of_trainings,
):
    assert (
        measures.law_enforcement_officers_trained(quarter_of_trainings.pk, start=START, end=END)
        == 17
    )


def test_a_naloxone_training_for_the_police_counts_its_officers(manager_a, program_a):
    record_session(manager_a, audience=Audience.LAW_ENFORCEMENT, attendee_count=9)

    assert measures.law_enforcement_officers_trained(program_a.pk, start=START, end=END) == 9


def test_sessions_and_attendees_by_kind_and_audience(quarter_of_trainings):
    assert measures.sessions_by_kind_and_audience(
        quarter_of_trainings.pk, start=START, end=END
    ) == {
        (Kind.LAW_ENFORCEMENT, Audience.LAW_ENFORCEMENT): {"sessions": 2, "attendees": 17},
        (Kind.NALOXONE, Audience.COMMUNITY): {"sessions": 1, "attendees": 30},
        (Kind.NALOXONE, Audience.PARTICIPANTS): {"sessions": 1, "attendees": 8},
    }


def test_knowledge_gain_averages_post_minus_pre_over_attendees_with_both_scores(
    quarter_of_trainings,
):
    gain = measures.knowledge_gain(quarter_of_trainings.pk, start=START, end=END)

    # (80 - 40), (70 - 50), (100 - 70); the officer without a post-test is left out.
    assert gain.attendees_scored == 3
    assert gain.average_gain == pytest.approx(30)
    assert gain.average_pre == pytest.approx(160 / 3)
    assert gain.average_post == pytest.approx(250 / 3)


def test_knowledge_gain_is_none_without_scores(program_a):
    gain = measures.knowledge_gain(program_a.pk, start=START, end=END)

    assert gain.attendees_scored == 0
    assert gain.average_gain is None


def test_naloxone_kits_handed_out_sum_the_sessions_distributions(quarter_of_trainings):
    assert measures.naloxone_kits_handed_out(quarter_of_trainings.pk, start=START, end=END) == 15


def test_measures_are_zero_for_an_empty_period(quarter_of_trainings):
    later = TODAY + timedelta(days=1)
    program_id = quarter_of_trainings.pk

    assert measures.law_enforcement_officers_trained(program_id, start=later, end=later) == 0
    assert measures.naloxone_kits_handed_out(program_id, start=later, end=later) == 0
    assert measures.sessions_by_kind_and_audience(program_id, start=later, end=later) == {}


def test_measures_run_in_one_query_each(quarter_of_trainings, django_assert_num_queries):
    program_id = quarter_of_trainings.pk
    for measure in (
        measures.sessions_by_kind_and_audience,
        measures.law_enforcement_officers_trained,
        measures.knowledge_gain,
        measures.naloxone_kits_handed_out,
    ):
        with django_assert_num_queries(1):
            measure(program_id, start=START, end=END)
