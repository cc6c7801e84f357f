import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from accounts.models import Location, Program
from audit.models import AuditEntry
from demo.management.commands.seed_demo import DEMO_PROGRAM
from encounters.models import Encounter, EncounterSupply
from participants.models import Characteristic, Participant
from participants.services import PUBLIC_ID_ALPHABET

pytestmark = pytest.mark.django_db

PUBLIC_ID = re.compile(rf"HR-[{PUBLIC_ID_ALPHABET}]{{5}}")
# The shape of a code of the default recipe, e.g. "MA0385CF".
RAW_CODE = re.compile(r"[A-Z]{2}\d{4}[A-Z]{2}")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo logins get real passwords; hashing them slowly adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seeded():
    output = io.StringIO()
    call_command("seed_demo", participants=50, encounters=500, stdout=output)
    return Program.objects.get(name=DEMO_PROGRAM), output.getvalue()


def test_makes_the_asked_numbers_and_reports_progress(seeded):
    program, output = seeded

    assert Participant.objects.filter(program=program).count() == 50
    assert Encounter.objects.filter(program=program).count() == 500
    assert "500/500 encounters" in output
    assert "encounters/s" in output


def test_without_options_nothing_synthetic_is_made():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    assert Program.objects.filter(name=DEMO_PROGRAM).count() == 1
    assert not Participant.objects.exists()
    assert not Encounter.objects.exists()


def test_running_again_adds_more_encounters(seeded):
    program, _ = seeded

    call_command("seed_demo", participants=10, encounters=100, stdout=io.StringIO())

    assert Participant.objects.filter(program=program).count() == 60
    assert Encounter.objects.filter(program=program).count() == 600


def test_every_encounter_is_at_a_demo_location_with_the_matching_kind(seeded):
    program, _ = seeded
    matching = {
        Location.Kind.FIXED_SITE: Encounter.Kind.FIXED_SITE,
        Location.Kind.MOBILE_UNIT: Encounter.Kind.MOBILE_UNIT,
        Location.Kind.OUTREACH: Encounter.Kind.STREET_OUTREACH,
    }

    pairs = set(Encounter.objects.values_list("location__program", "location__kind", "kind"))

    assert {program_id for program_id, _, _ in pairs} == {program.pk}
    assert all(matching[location_kind] == kind for _, location_kind, kind in pairs)
    assert len(pairs) > 1


def test_staff_are_demo_outreach_workers_and_the_manager(seeded):
    usernames = set(Encounter.objects.values_list("staff__username", flat=True))

    assert usernames <= {"outreach", "manager", "outreach2", "outreach3", "outreach4"}
    assert "outreach" in usernames


def test_about_one_in_ten_encounters_is_anonymous(seeded):
    anonymous = Encounter.objects.filter(participant__isnull=True).count()

    assert 0.05 <= anonymous / 500 <= 0.20


def test_some_participants_return_often_and_many_come_rarely(seeded):
    visits = sorted(
        Encounter.objects.filter(participant__isnull=False)
        .values("participant")
        .annotate(visits=Count("id"))
        .values_list("visits", flat=True)
    )

    assert visits[-1] >= 5
    assert visits[-1] >= 4 * visits[len(visits) // 2]


def test_encounters_never_precede_the_participants_enrolment(seeded):
    assert not Encounter.objects.filter(occurred_at__lt=F("participant__enrolled_at")).exists()


def test_most_encounters_hand_out_supplies(seeded):
    with_supplies = Encounter.objects.filter(supplies__isnull=False).distinct().count()
    lines = EncounterSupply.objects.count()

    assert with_supplies / 500 >= 0.75
    assert 2.5 <= lines / 500 <= 5


def test_the_standard_injection_kit_is_the_most_common_bundle(seeded):
    given = Counter(EncounterSupply.objects.values_list("item__name", flat=True))

    assert given.most_common(1)[0][0] in {"Syringe 1 mL 28G", "Alcohol pads", "Cooker"}
    assert given["Naloxone nasal 4 mg (2-dose kit)"] > 0
    assert given["Smoking kit"] > 0


def test_weekdays_are_busier_than_weekends(seeded):
    program, _ = seeded
    local_days = [
        timezone.localtime(moment, program.tzinfo).date()
        for moment in Encounter.objects.values_list("occurred_at", flat=True)
    ]
    first, last = min(local_days), max(local_days)
    calendar = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    weekdays = sum(1 for day in calendar if day.weekday() < 5)
    weekend_days = len(calendar) - weekdays
    on_weekdays = sum(1 for day in local_days if day.weekday() < 5)

    assert on_weekdays / weekdays > 1.5 * (len(local_days) - on_weekdays) / weekend_days


def test_encounters_span_the_last_year_and_none_is_in_the_future(seeded):
    times = Encounter.objects.values_list("occurred_at", flat=True)
    now = timezone.now()

    assert max(times) <= now
    assert min(times) >= now - timedelta(days=367)
    assert max(times) - min(times) > timedelta(days=300)


def test_public_ids_are_unique_and_well_formed(seeded):
    public_ids = list(Participant.objects.values_list("public_id", flat=True))

    assert len(set(public_ids)) == len(public_ids)
    assert all(PUBLIC_ID.fullmatch(public_id) for public_id in public_ids)


def test_profiles_vary_and_some_answers_are_declined(seeded):
    participants = list(Participant.objects.all())

    assert any(participant.alias for participant in participants)
    assert any(not participant.alias for participant in participants)
    assert any(participant.birth_year for participant in participants)
    assert len({participant.gender_identity for participant in participants}) >= 3
    assert any(
        participant.birth_year_declined
        or participant.zip3_declined
        or "declined" in (participant.gender_identity, participant.race_ethnicity)
        for participant in participants
    )
    questions = set(Characteristic.objects.values_list("question", flat=True))
    assert questions == {"population", "substance", "route"}


def test_no_participant_row_holds_a_raw_code(seeded):
    for row in Participant.objects.values():
        assert re.fullmatch(r"[0-9a-f]{64}", row["code_hash"])
        for value in row.values():
            assert not RAW_CODE.search(str(value))


def test_seeded_participants_and_encounters_write_no_audit_entries(seeded):
    assert not AuditEntry.objects.filter(
        object_type__in=["participants.participant", "participants.encounter"]
    ).exists()
