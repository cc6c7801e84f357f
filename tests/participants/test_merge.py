"""Merging a duplicate moves everything that points at them, resolves the pairs that would
collide, locks both in primary-key order (two opposite merges at once merge once, without a
deadlock), and writes one audit entry listing what moved."""

import threading
import time
from datetime import date

import pytest
from django.db import connection
from django.db.models import DO_NOTHING
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from cards.models import ParticipantCard
from cards.services import issue_card
from encounters.models import Encounter
from encounters.services import record_encounter
from participants.models import Characteristic, Participant, PossibleDuplicate
from participants.services import ParticipantError, merge_participants, participant_relations
from referrals.services import make_referral
from supplies.field_records import report_overdose_reversal
from tests.factories import ParticipantFactory
from training.models import Attendee, Certificate, TrainingSession

pytestmark = pytest.mark.django_db

# Every foreign key to Participant and what a merge does with it. A new one fails
# test_every_relation_to_a_participant_is_handled until it is added here, and handled.
HANDLED = {
    ("encounters.encounter", "participant"): "moved",
    ("referrals.referral", "participant"): "moved",
    ("supplies.overdosereversal", "participant"): "moved",
    ("training.attendee", "participant"): "moved, one per session",
    ("cards.participantcard", "participant"): "moved, one valid card",
    ("participants.characteristic", "participant"): "answers merged",
    ("participants.mergedid", "participant"): "moved: ids merged earlier lead to the kept one",
    ("participants.possibleduplicate", "participant"): "deleted with the duplicate",
    ("participants.possibleduplicate", "other"): "deleted with the duplicate",
    ("encounters.participantmonth", "participant"): "kept by the triggers",
    ("encounters.participantyear", "participant"): "kept by the triggers",
    ("encounters.participantfirstmonth", "participant"): "kept by the triggers",
}


def test_every_relation_to_a_participant_is_handled():
    found = {
        (relation.related_model._meta.label_lower, relation.field.name)
        for relation in participant_relations()
    }
    assert found == set(HANDLED), "a foreign key to Participant is new: handle it in the merge"


@pytest.fixture
def session(program_a, manager_a):
    return TrainingSession.objects.create(
        program=program_a,
        kind="naloxone",
        held_on=date(2026, 3, 2),
        place="Library",
        trainer=manager_a,
        audience="participants",
        attendee_count=2,
        recorded_by=manager_a,
    )


def test_merge_moves_every_row_and_leaves_nothing_pointing_at_the_duplicate(
    manager_a, outreach_a, site_a, session
):
    keep = ParticipantFactory(program=outreach_a.program, alias="Sky")
    duplicate = ParticipantFactory(program=outreach_a.program, alias="Skye")
    record_encounter(by=outreach_a, participant=duplicate, location=site_a, kind="fixed_site")
    make_referral(by=outreach_a, participant=duplicate, kind="housing")
    report_overdose_reversal(
        by=outreach_a,
        participant=duplicate,
        reported_on=date(2026, 3, 1),
        place="Park",
        doses_used=2,
        outcome="survived",
        ems_called="no",
        kit_source="this_program",
    )
    Attendee.objects.create(session=session, participant=duplicate)
    issue_card(by=outreach_a, participant=duplicate)

    merge_participants(by=manager_a, keep=keep, duplicate=duplicate)

    assert not Participant.objects.filter(pk=duplicate.pk).exists()
    for relation in participant_relations():
        if relation.on_delete is DO_NOTHING:
            continue
        rows = relation.related_model._base_manager.filter(**{relation.field.name: duplicate.pk})
        assert not rows.exists(), relation
    assert keep.encounters.count() == 1
    assert keep.referrals.count() == 1
    assert keep.reversals_reported.count() == 1
    assert keep.trainings_attended.count() == 1
    assert keep.cards.filter(revoked_at__isnull=True).count() == 1
    (entry,) = AuditEntry.objects.filter(action="participants.participant.merged")
    assert entry.details["moved"] == {
        "encounters.encounter": 1,
        "referrals.referral": 1,
        "supplies.overdosereversal": 1,
        "training.attendee": 1,
        "cards.participantcard": 1,
    }


def test_pairs_that_would_collide_are_resolved(manager_a, outreach_a, session):
    keep = ParticipantFactory(program=outreach_a.program)
    duplicate = ParticipantFactory(program=outreach_a.program)
    issue_card(by=outreach_a, participant=keep)
    issue_card(by=outreach_a, participant=duplicate)
    Attendee.objects.create(session=session, participant=keep)
    theirs = Attendee.objects.create(session=session, participant=duplicate)
    Certificate.objects.create(
        attendee=theirs,
        code="ABCDEFGH",
        issued_on=date(2026, 3, 2),
        valid_until=date(2028, 3, 2),
        issued_by=manager_a,
    )
    Characteristic.objects.create(participant=keep, question="substances", value="opioids")
    Characteristic.objects.create(participant=duplicate, question="substances", value="opioids")

    merge_participants(by=manager_a, keep=keep, duplicate=duplicate)

    # One valid card (the kept one's); the duplicate's is revoked as replaced.
    cards = ParticipantCard.objects.filter(participant=keep)
    assert cards.count() == 2
    assert cards.filter(revoked_at__isnull=True).count() == 1
    assert cards.get(revoked_at__isnull=False).revoked_because == "replaced"
    # One attendance of the session: the certified one.
    (attendance,) = Attendee.objects.filter(session=session, participant=keep)
    assert attendance.pk == theirs.pk
    assert keep.characteristics.count() == 1
    entry = AuditEntry.objects.get(action="participants.participant.merged")
    assert entry.details["pairs_resolved"] == {
        "cards.participantcard revoked": 1,
        "training.attendee same session": 1,
    }


def test_both_are_locked_in_one_statement_in_primary_key_order(manager_a, program_a):
    first = ParticipantFactory(program=program_a)
    second = ParticipantFactory(program=program_a)
    PossibleDuplicate.objects.create(
        program=program_a, participant=second, other=first, reason="near_code"
    )

    with CaptureQueriesContext(connection) as queries:
        # Keep the later one: the old code locked keep first, so opposite merges deadlocked.
        merge_participants(by=manager_a, keep=second, duplicate=first)

    locks = [query["sql"] for query in queries if "FOR UPDATE" in query["sql"]]
    participant_locks = [
        sql for sql in locks if '"participants_participant"' in sql.split("FROM")[1]
    ]
    assert len(participant_locks) == 1
    assert 'ORDER BY "participants_participant"."id" ASC' in participant_locks[0]


def _hold_participant_locks(execute, sql, params, many, context):
    """After each statement that locks participants, keep the locks half a second before going
    on, so that an opposite merge starts while this one holds them."""
    result = execute(sql, params, many, context)
    if 'FROM "participants_participant"' in sql and "FOR UPDATE" in sql:
        time.sleep(0.5)
    return result


@pytest.mark.django_db(transaction=True)
def test_two_opposite_merges_at_once_merge_once_and_lose_nothing(manager_a, outreach_a, site_a):
    if connection.vendor != "postgresql":
        pytest.skip("the row locks of PostgreSQL are what this is about")
    first = ParticipantFactory(program=outreach_a.program)
    second = ParticipantFactory(program=outreach_a.program)
    for participant in (first, first, second):
        record_encounter(by=outreach_a, participant=participant, location=site_a, kind="fixed_site")
    start = threading.Barrier(2, timeout=5)
    outcomes = {}

    def merge(keep, duplicate):
        try:
            with connection.execute_wrapper(_hold_participant_locks):
                start.wait()
                merge_participants(by=manager_a, keep=keep, duplicate=duplicate)
            outcomes[keep.pk] = "merged"
        except ParticipantError as error:
            outcomes[keep.pk] = error.message
        except Exception as error:  # a deadlock, or any other failure, fails the test below
            outcomes[keep.pk] = repr(error)
        finally:
            connection.close()

    # One manager keeps the first, another the second, at the same moment. With the old order
    # (keep locked, then duplicate) each held one row and waited for the other: a deadlock.
    threads = [
        threading.Thread(target=merge, args=(first, second)),
        threading.Thread(target=merge, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)

    assert sorted(outcomes.values()) == [
        "One of the two participants was merged or deleted meanwhile.",
        "merged",
    ], outcomes
    (kept,) = [pk for pk, outcome in outcomes.items() if outcome == "merged"]
    assert list(Participant.objects.values_list("pk", flat=True)) == [kept]
    assert Encounter.objects.count() == 3
    assert Encounter.objects.filter(participant_id=kept).count() == 3
    assert AuditEntry.objects.filter(action="participants.participant.merged").count() == 1
