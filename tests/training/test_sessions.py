import pytest
from django.db.models import Sum

from audit.models import AuditEntry
from encounters import services as encounter_services
from encounters.models import Encounter
from supplies.models import StockLevel, StockMovement
from tests.factories import ParticipantFactory
from tests.training.conftest import INJECTABLE, NALOXONE, record_session
from training import selectors
from training.models import Attendee, TrainingSession
from training.services import AttendeeRecord, TrainingError

pytestmark = pytest.mark.django_db


def on_hand(location, item) -> int:
    return (
        StockLevel.objects.filter(location=location, lot__item=item).aggregate(
            total=Sum("on_hand")
        )["total"]
        or 0
    )


def test_kits_at_a_training_leave_stock_like_an_encounter(manager_a, site_a, catalogue_a):
    naloxone = catalogue_a[NALOXONE]
    encounter_services.record_encounter(
        by=manager_a,
        participant=None,
        location=site_a,
        kind=Encounter.Kind.FIXED_SITE,
        supplies=[encounter_services.SupplyLine(item=naloxone, quantity=2)],
    )
    assert on_hand(site_a, naloxone) == 998

    session = record_session(manager_a, location=site_a, kits=[(naloxone, 15)])

    assert on_hand(site_a, naloxone) == 983
    movement = StockMovement.objects.get(training_session=session)
    assert movement.kind == StockMovement.Kind.DISTRIBUTED
    assert movement.quantity == -15
    assert movement.location == site_a
    assert movement.lot.item == naloxone
    assert list(session.movements.all()) == [movement]
    assert AuditEntry.objects.filter(
        action="training.session.recorded", object_id=str(session.pk)
    ).exists()


def test_not_enough_naloxone_refuses_the_training_and_saves_nothing(manager_a, site_a, catalogue_a):
    nasal, injectable = catalogue_a[NALOXONE], catalogue_a[INJECTABLE]
    movements_before = StockMovement.objects.count()

    with pytest.raises(TrainingError, match=r"Only 1000 of Naloxone injectable"):
        record_session(
            manager_a,
            location=site_a,
            attendees=[AttendeeRecord(name="Jane Doe")],
            # The first item is in stock: its distribution must be rolled back too.
            kits=[(nasal, 5), (injectable, 1001)],
        )

    assert on_hand(site_a, nasal) == 1000
    assert on_hand(site_a, injectable) == 1000
    assert StockMovement.objects.count() == movements_before
    assert not TrainingSession.objects.exists()
    assert not Attendee.objects.exists()
    assert not AuditEntry.objects.filter(action="training.session.recorded").exists()


def test_kits_need_the_location_they_come_from(manager_a, catalogue_a):
    with pytest.raises(TrainingError, match="location the naloxone kits came from"):
        record_session(manager_a, kits=[(catalogue_a[NALOXONE], 3)])


def test_only_naloxone_is_handed_out_at_a_training(manager_a, site_a, catalogue_a):
    with pytest.raises(TrainingError, match="Only naloxone"):
        record_session(manager_a, location=site_a, kits=[(catalogue_a["Condoms"], 3)])
    assert not TrainingSession.objects.exists()


def test_more_attendee_records_than_people_trained_is_refused(manager_a):
    with pytest.raises(TrainingError, match="more than the 1 who attended"):
        record_session(
            manager_a,
            attendee_count=1,
            attendees=[AttendeeRecord(name="A Person"), AttendeeRecord(name="B Person")],
        )


def test_a_participant_attendee_is_never_recorded_with_a_name(manager_a, program_a):
    participant = ParticipantFactory(program=program_a)

    with pytest.raises(TrainingError, match="card id only"):
        record_session(
            manager_a, attendees=[AttendeeRecord(participant=participant, name="Real Name")]
        )


def test_a_participant_of_program_b_cannot_attend_a_training_of_program_a(manager_a, program_b):
    with pytest.raises(TrainingError, match="No such participant"):
        record_session(
            manager_a, attendees=[AttendeeRecord(participant=ParticipantFactory(program=program_b))]
        )


def test_outreach_records_only_trainings_they_gave(outreach_a, manager_a):
    with pytest.raises(TrainingError, match="trainings you gave yourself"):
        record_session(outreach_a, trainer=manager_a)

    session = record_session(outreach_a)

    assert session.trainer == outreach_a


def test_a_manager_sees_every_training_of_the_program_and_outreach_their_own(
    manager_a, outreach_a, outreach_b
):
    by_manager = record_session(manager_a)
    by_outreach = record_session(outreach_a)
    record_session(outreach_b)

    assert set(selectors.trainings_for(manager_a)) == {by_manager, by_outreach}
    assert set(selectors.trainings_for(outreach_a)) == {by_outreach}


def test_selectors_hide_program_b_trainings_and_certificates(
    manager_a, outreach_a, funder, training_b
):
    for user in (manager_a, outreach_a, funder):
        assert not selectors.trainings_for(user).exists()
        assert not selectors.certificates_for(user).exists()
