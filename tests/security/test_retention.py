"""Participants not seen for the retention period are anonymised; totals stay the same."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.forms.models import model_to_dict

from audit.models import AuditEntry
from encounters import services as encounter_services
from encounters.models import EncounterSupply
from hrprogram.celery import app as celery_app
from participants import retention, selectors, services
from participants.models import Characteristic, Participant, PossibleDuplicate
from participants.tasks import anonymise_inactive_participants
from referrals.models import Referral, ReferralStatusChange
from tests.factories import EncounterFactory, ItemFactory, ParticipantFactory
from tests.security.aggregates import program_totals

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
CUTOFF = datetime(2023, 6, 15, 12, 0, tzinfo=UTC)  # three years before NOW


@pytest.fixture(autouse=True)
def three_years(settings):
    settings.PARTICIPANT_RETENTION_YEARS = 3


def _enrolled(participant, at):
    Participant.objects.filter(pk=participant.pk).update(enrolled_at=at)
    participant.refresh_from_db()
    return participant


def _participant(program, code, *, enrolled_at, **profile):
    participant = ParticipantFactory(program=program, code=code, **profile)
    return _enrolled(participant, enrolled_at)


def _visit(participant, at, *, location, staff, item, quantity=10, note=""):
    encounter = EncounterFactory(
        program=participant.program,
        participant=participant,
        location=location,
        staff=staff,
        occurred_at=at,
        syringes_collected=3,
        note=note,
    )
    EncounterSupply.objects.create(encounter=encounter, item=item, quantity=quantity)
    return encounter


@pytest.fixture
def people(program_a, site_a, outreach_a, program_b, site_b, outreach_b):
    """Program A's participants either side of the boundary, and one of program B."""
    item = ItemFactory(program=program_a)
    item_b = ItemFactory(program=program_b)
    long_ago = CUTOFF - timedelta(days=400)

    def visit(participant, at, **kwargs):
        return _visit(participant, at, location=site_a, staff=outreach_a, item=item, **kwargs)

    just_inside = _participant(program_a, "INSIDE01", enrolled_at=long_ago, alias="Inside")
    visit(just_inside, long_ago)
    visit(just_inside, CUTOFF + timedelta(minutes=1))

    just_outside = _participant(
        program_a,
        "OUTSIDE1",
        enrolled_at=long_ago,
        alias="Sunny",
        birth_year=1980,
        gender_identity=Participant.GenderIdentity.WOMAN,
        race_ethnicity=Participant.RaceEthnicity.WHITE,
        zip3="857",
    )
    Characteristic.objects.create(participant=just_outside, question="substance", value="fentanyl")
    Characteristic.objects.create(participant=just_outside, question="population", value="unhoused")
    visit(just_outside, long_ago, note="lives behind the laundromat")
    outside_visit = visit(just_outside, CUTOFF - timedelta(minutes=1))
    referral = Referral.objects.create(
        program=program_a,
        participant=just_outside,
        kind="housing",
        made_by=outreach_a,
        made_at=CUTOFF - timedelta(minutes=1),
        follow_up_due=(CUTOFF + timedelta(days=14)).date(),
        status=Referral.Status.LINKED,
        encounter=outside_visit,
        outcome_note="housed with her sister",
    )
    ReferralStatusChange.objects.create(
        referral=referral,
        status=Referral.Status.LINKED,
        changed_at=CUTOFF - timedelta(minutes=1),
        changed_by=outreach_a,
        note="called the shelter",
    )

    never_seen_old = _participant(
        program_a, "NEVEROLD", enrolled_at=CUTOFF - timedelta(days=1), alias="Old"
    )
    never_seen_new = _participant(
        program_a, "NEVERNEW", enrolled_at=CUTOFF + timedelta(days=1), alias="New"
    )
    recent = _participant(program_a, "RECENT01", enrolled_at=long_ago, alias="Recent")
    visit(recent, NOW - timedelta(days=2))
    # A likely duplicate pair: one leaves, so the flag must go with them.
    PossibleDuplicate.objects.create(
        program=program_a,
        participant=recent,
        other=just_outside,
        reason=PossibleDuplicate.Reason.NEAR_CODE,
    )
    EncounterFactory(
        program=program_a, participant=None, location=site_a, staff=outreach_a, occurred_at=NOW
    )

    other_program = _participant(program_b, "BPROGRAM", enrolled_at=long_ago, alias="Bee")
    _visit(other_program, long_ago, location=site_b, staff=outreach_b, item=item_b)
    return {
        "just_inside": just_inside,
        "just_outside": just_outside,
        "never_seen_old": never_seen_old,
        "never_seen_new": never_seen_new,
        "recent": recent,
        "other_program": other_program,
    }


def _snapshot(participant):
    participant.refresh_from_db()
    return (
        model_to_dict(participant),
        participant.code_hash,
        participant.public_id,
        sorted(participant.characteristics.values_list("question", "value")),
    )


def test_anonymises_exactly_those_not_seen_within_the_period(people):
    kept = ("just_inside", "never_seen_new", "recent")
    before = {name: _snapshot(people[name]) for name in kept}

    counts = retention.anonymise_inactive_participants(now=NOW)

    anonymised = set(
        Participant.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)
    )
    assert anonymised == {
        people["just_outside"].pk,
        people["never_seen_old"].pk,
        people["other_program"].pk,
    }
    assert counts == {people["just_outside"].program_id: 2, people["other_program"].program_id: 1}
    for name in kept:
        assert _snapshot(people[name]) == before[name], f"{name} was changed"


def test_anonymised_participant_keeps_nothing_that_identifies_them(people, outreach_a):
    person = people["just_outside"]
    old_code_hash, old_public_id = person.code_hash, person.public_id

    retention.anonymise_inactive_participants(now=NOW)

    person.refresh_from_db()
    assert person.anonymised_at == NOW
    assert person.anonymised_because == Participant.AnonymisedBecause.RETENTION
    assert (person.alias, person.birth_year, person.gender_identity) == ("", None, "")
    assert (person.race_ethnicity, person.zip3) == ("", "")
    assert not person.characteristics.exists()
    assert person.code_hash != old_code_hash
    assert len(person.code_hash) == len(old_code_hash)
    assert person.public_id != old_public_id
    assert not person.public_id.startswith("HR-")
    assert str(person) == "Anonymised participant"
    # Free text about them is gone; the visits and the referral stay.
    assert not person.encounters.exclude(note="").exists()
    assert person.encounters.count() == 2
    assert Referral.objects.get(participant=person).outcome_note == ""
    assert ReferralStatusChange.objects.get(referral__participant=person).note == ""
    assert not PossibleDuplicate.objects.exists()
    # Staff can no longer find them by code, card id or alias.
    assert selectors.participant_with_code(outreach_a, "OUTSIDE1") is None
    assert selectors.search_participants(outreach_a, old_public_id) == []
    assert selectors.search_participants(outreach_a, "Sunny") == []
    assert not selectors.participants_for(outreach_a).filter(pk=person.pk).exists()


def test_returning_person_enrols_anew_after_anonymisation(people, outreach_a):
    retention.anonymise_inactive_participants(now=NOW)

    participant, created = services.enroll_participant(by=outreach_a, code="OUTSIDE1")

    assert created
    assert participant.pk != people["just_outside"].pk
    assert participant.encounters.count() == 0


def test_report_totals_are_unchanged(people, program_a, program_b):
    before = {program.pk: program_totals(program) for program in (program_a, program_b)}

    retention.anonymise_inactive_participants(now=NOW)

    after = {program.pk: program_totals(program) for program in (program_a, program_b)}
    assert after == before
    assert before[program_a.pk]["unduplicated_participants"] == 3  # sanity: data was there


def test_each_run_writes_one_audit_entry_per_program_without_identifying_data(
    people, program_a, program_b
):
    retention.anonymise_inactive_participants(now=NOW)

    entries = AuditEntry.objects.filter(action="participants.retention.anonymised")
    assert {entry.program_id: entry.details["anonymised"] for entry in entries} == {
        program_a.pk: 2,
        program_b.pk: 1,
    }
    assert all(entry.actor is None and entry.object_id == "" for entry in entries)
    written = json.dumps([entry.details for entry in entries])
    for secret in ("Sunny", "OUTSIDE1", people["just_outside"].public_id, "laundromat"):
        assert secret not in written


def test_a_second_run_finds_nobody_left(people, program_a):
    retention.anonymise_inactive_participants(now=NOW)
    first = {p.pk: p.public_id for p in Participant.objects.all()}

    counts = retention.anonymise_inactive_participants(now=NOW + timedelta(seconds=30))

    assert counts == {}
    assert {p.pk: p.public_id for p in Participant.objects.all()} == first
    latest = AuditEntry.objects.filter(
        action="participants.retention.anonymised", program=program_a
    ).latest("pk")
    assert latest.details["anonymised"] == 0


def test_retention_of_zero_years_turns_it_off(people, settings):
    settings.PARTICIPANT_RETENTION_YEARS = 0

    assert retention.anonymise_inactive_participants(now=NOW) == {}
    assert not Participant.objects.filter(anonymised_at__isnull=False).exists()


def test_longer_retention_keeps_more(people, settings):
    settings.PARTICIPANT_RETENTION_YEARS = 10

    assert retention.anonymise_inactive_participants(now=NOW) == {}


def test_a_leap_day_cutoff_falls_back_to_the_28th():
    leap_day = datetime(2028, 2, 29, 9, 0, tzinfo=UTC)

    assert retention.years_before(leap_day, 3) == datetime(2025, 2, 28, 9, 0, tzinfo=UTC)


def test_the_daily_task_anonymises_and_is_scheduled(program_a):
    stale = _participant(
        program_a, "STALE001", enrolled_at=datetime(2001, 1, 1, tzinfo=UTC), alias="Stale"
    )

    assert anonymise_inactive_participants.delay().get() == 1

    stale.refresh_from_db()
    assert stale.anonymised_at is not None
    scheduled = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "participants.tasks.anonymise_inactive_participants" in scheduled
    assert "participants.tasks.anonymise_inactive_participants" in celery_app.tasks


def test_an_encounter_cannot_be_recorded_for_an_anonymised_participant(people, outreach_a, site_a):
    retention.anonymise_inactive_participants(now=NOW)
    person = Participant.objects.get(pk=people["just_outside"].pk)

    with pytest.raises(encounter_services.EncounterError):
        encounter_services.record_encounter(
            by=outreach_a, participant=person, location=site_a, kind="fixed_site"
        )
