from datetime import timedelta

import pytest

from tests.conftest import PROGRAM_TODAY
from tests.participants.conftest import catalogue_a, code_answers  # noqa: F401
from training import services
from training.models import TrainingSession
from training.services import AttendeeRecord

NALOXONE = "Naloxone nasal 4 mg (2-dose kit)"
INJECTABLE = "Naloxone injectable 0.4 mg"
# The date where the test programs work under the pinned clock, not the server's.
TODAY = PROGRAM_TODAY


def record_session(by, **fields) -> TrainingSession:
    """A session recorded through the service, with sensible defaults for what a test omits."""
    defaults = {
        "kind": TrainingSession.Kind.NALOXONE,
        "held_on": TODAY - timedelta(days=1),
        "place": "Public library",
        "audience": TrainingSession.Audience.COMMUNITY,
        "attendee_count": 10,
    }
    return services.record_training_session(by=by, **{**defaults, **fields})


@pytest.fixture
def police_training_a(manager_a):
    """A law-enforcement training of program A with two named officers, certificates issued."""
    session = record_session(
        manager_a,
        kind=TrainingSession.Kind.LAW_ENFORCEMENT,
        audience=TrainingSession.Audience.LAW_ENFORCEMENT,
        place="Springfield police academy",
        attendee_count=12,
        attendees=[
            AttendeeRecord(
                name="Jane Doe",
                agency="Springfield Police Department",
                email="jane.doe@police.example",
                pre_test_score=40,
                post_test_score=85,
            ),
            AttendeeRecord(
                name="Quentin Zephyr",
                agency="County Sheriff",
                email="q.zephyr@sheriff.example",
            ),
        ],
    )
    services.issue_certificates(by=manager_a, session=session)
    return session


@pytest.fixture
def training_b(outreach_b):
    """A community training of program B with one named attendee holding a certificate."""
    session = record_session(
        outreach_b,
        place="B church hall",
        attendees=[AttendeeRecord(name="Bea Bystander", email="bea@example.org")],
    )
    services.issue_certificates(by=outreach_b, session=session)
    return session


def certificate_of(session, name):
    return session.attendees.get(name=name).certificate
