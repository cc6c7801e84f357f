"""`seed_demo --year` (what `make run` seeds): a living year whose parts agree. The real size
(300 participants, 6,000 encounters) takes about 10 s on SQLite and 15 s on PostgreSQL; the
shape is checked here at a tenth of it."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q, Sum
from django.utils import translation

from accounts.models import Program, User
from demo.management.commands.seed_demo import DEMO_PROGRAM
from encounters.models import Encounter, EncounterSupply
from participants.models import Participant
from referrals.models import Referral
from reports.models import ReportRun
from reports.selectors import run_list
from supplies.models import OverdoseReversal, StockLevel, StockMovement, SyringeCollection
from training.models import TrainingSession

pytestmark = pytest.mark.django_db

PARTICIPANTS = 30
ENCOUNTERS = 600


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def year(run_queued, mailoutbox):
    output = io.StringIO()
    errors = run_queued(
        lambda: call_command(
            "seed_demo",
            year=True,
            participants=PARTICIPANTS,
            encounters=ENCOUNTERS,
            stdout=output,
        )
    )
    assert errors == []
    return Program.objects.get(name=DEMO_PROGRAM), output.getvalue()


def test_the_year_has_people_visits_and_what_follows_them(year):
    program, output = year

    assert Participant.objects.filter(program=program).count() == PARTICIPANTS
    assert Encounter.objects.filter(program=program).count() == ENCOUNTERS
    referrals = Referral.objects.filter(participant__program=program)
    assert referrals.count() > 0
    # Followed up: most have an outcome, the recent ones are still open.
    statuses = set(referrals.values_list("status", flat=True))
    assert Referral.Status.LINKED in statuses
    assert len(statuses) > 2
    assert TrainingSession.objects.filter(program=program).count() > 12
    assert OverdoseReversal.objects.filter(program=program).count() == 24
    assert SyringeCollection.objects.filter(program=program).count() > 10
    assert "A year of the demo program" in output


def test_every_supply_line_of_an_encounter_left_the_stock_it_came_from(year):
    program, _ = year
    lines = EncounterSupply.objects.filter(encounter__program=program)
    assert lines.count() > ENCOUNTERS

    moved = lines.annotate(
        movement_count=Count("movements"),
        taken=Sum("movements__quantity"),
    )
    assert not moved.exclude(movement_count=1).exists()
    assert not moved.exclude(taken=-F("quantity")).exists()
    # From the encounter's location, of the line's item, at the encounter's time.
    taken = StockMovement.objects.filter(encounter_supply__encounter__program=program)
    assert taken.count() == lines.count()
    assert not taken.exclude(kind=StockMovement.Kind.DISTRIBUTED).exists()
    assert not taken.exclude(location=F("encounter_supply__encounter__location")).exists()
    assert not taken.exclude(lot__item=F("encounter_supply__item")).exists()
    assert not taken.exclude(at=F("encounter_supply__encounter__occurred_at")).exists()
    # The ledger: what each lot's movements add up to is what is on hand.
    for level in StockLevel.objects.filter(location__program=program):
        ledger = StockMovement.objects.filter(location=level.location, lot=level.lot).aggregate(
            total=Sum("quantity")
        )["total"]
        assert level.on_hand == ledger, level
    given = lines.aggregate(total=Sum("quantity"))["total"]
    assert -taken.aggregate(total=Sum("quantity"))["total"] == given


def test_the_demo_funder_has_last_months_reports(year):
    program, _ = year
    funder = User.objects.get(username="funder")

    runs = run_list(funder).filter(definition__program=program)

    assert runs.count() == 6
    assert not runs.exclude(status=ReportRun.Status.SUCCEEDED).exists()
    assert not runs.filter(Q(csv_file__isnull=True) | Q(published_at__isnull=True)).exists()


def test_a_second_year_is_not_added(year):
    program, _ = year
    output = io.StringIO()

    call_command("seed_demo", year=True, stdout=output)

    assert "no year added" in output.getvalue()
    assert Encounter.objects.filter(program=program).count() == ENCOUNTERS


def test_the_demo_names_its_catalogue_and_locations_in_spanish(year):
    program, _ = year

    with translation.override("es"):
        assert {str(location) for location in program.locations.all()} >= {
            "Centro de acogida de Main Street",
            "Camioneta de alcance 1",
        }
        assert not program.items.filter(name_translations={}).exists()
        assert not program.kits.filter(name_translations={}).exists()
