"""Two enrolments with the same answers at the same moment (the page and a phone's sync, or two
API calls) give one participant, and both callers get that one, not a 500."""

import threading

import pytest
from django.db import connection, connections, transaction

from participants.models import Participant
from participants.services import enroll_participant

CODE = "MA03-85-TU-F"


@pytest.mark.django_db(transaction=True)
def test_the_same_answers_enrolled_at_once_give_one_participant_to_both(outreach_a, manager_a):
    if connection.vendor != "postgresql":
        pytest.skip("the unique index making the second insert wait is what this is about")
    inserted, release = threading.Event(), threading.Event()
    first = []

    def enrol_and_hold():
        try:
            with transaction.atomic():
                first.append(enroll_participant(by=outreach_a, code=CODE))
                inserted.set()
                # Still uncommitted: the other enrolment's read finds nobody, its insert waits.
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=enrol_and_hold)
    holder.start()
    assert inserted.wait(timeout=10)
    threading.Timer(0.5, release.set).start()

    second, created = enroll_participant(by=manager_a, code=CODE)
    holder.join()

    assert first[0][1] is True
    assert created is False
    assert second.pk == first[0][0].pk
    assert Participant.objects.count() == 1
