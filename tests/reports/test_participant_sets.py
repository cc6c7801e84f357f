"""People counted from the cached participant sets (reports/measures/people.py) stay exact: the
triggers forget a day's sets whenever an encounter of that day changes, whatever changed it."""

from datetime import date

import pytest
from django.utils import timezone

from encounters.models import Encounter, SeenParticipants
from encounters.services import record_encounter, undo_encounter
from participants.services import merge_participants
from reports import measures
from reports.measures import Scope, people
from tests.factories import ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import MARCH, known_program_data, local  # noqa: F401

pytestmark = pytest.mark.django_db
PEOPLE = ["unduplicated_participants", "new_participants"]


def counts(data, start=MARCH[0], end=MARCH[1], **filters):
    found = measures.compute(Scope(data.program, start, end, **filters), PEOPLE)
    return found["unduplicated_participants"], found["new_participants"]


def visit(data, by, who, when, *, at=None):
    encounter, _created = record_encounter(
        by=by,
        participant=who,
        location=at or data.site,
        kind=Encounter.Kind.FIXED_SITE,
        occurred_at=when,
        supplies=[],
    )
    return encounter


def test_a_first_count_stores_the_sets_of_closed_months_and_days(data):
    assert counts(data) == (5, 3)
    stored = SeenParticipants.objects.filter(program=data.program)
    assert stored.filter(grain="month", start=date(2025, 3, 1), location=None, kind="").exists()
    assert counts(data) == (5, 3)  # read back from the sets


def test_an_encounter_entered_later_for_a_closed_day_is_counted(data, manager_a):
    assert counts(data) == (5, 3)
    visit(data, manager_a, ParticipantFactory(program=data.program), local(3, 15, 12))
    assert counts(data) == (6, 4)
    assert counts(data, date(2025, 3, 15), date(2025, 3, 15)) == (2, 1)


def test_an_undone_encounter_is_no_longer_counted(data, manager_a):
    newcomer = ParticipantFactory(program=data.program)
    encounter = visit(data, manager_a, newcomer, local(3, 16, 12))
    assert counts(data) == (6, 4)
    undo_encounter(by=manager_a, encounter=encounter)
    assert counts(data) == (5, 3)


def test_a_merge_counts_the_two_records_as_one_person(data, manager_a):
    keep, duplicate = (ParticipantFactory(program=data.program) for _ in range(2))
    visit(data, manager_a, keep, local(3, 5, 12))
    visit(data, manager_a, duplicate, local(3, 6, 12))
    assert counts(data) == (7, 5)
    merge_participants(by=manager_a, keep=keep, duplicate=duplicate)
    assert counts(data) == (6, 4)


def test_a_new_time_zone_moves_day_boundaries_and_forgets_every_set(data):
    last_day = (date(2025, 3, 31), date(2025, 3, 31))
    assert counts(data, *last_day) == (1, 1)
    data.program.timezone = "UTC"
    data.program.save(update_fields=["timezone"])
    assert not SeenParticipants.objects.filter(program=data.program).exists()
    # P5's Mar 31 23:30 in New York is April 1 in UTC.
    assert counts(data, *last_day) == (0, 0)


@pytest.mark.parametrize(
    ("start", "end", "where"),
    [
        (date(2025, 3, 1), date(2025, 3, 31), None),
        (date(2025, 2, 14), date(2025, 3, 20), None),
        (date(2025, 1, 1), date(2025, 12, 31), None),
        (date(2025, 2, 28), date(2025, 4, 1), "site"),
        (date(2025, 3, 10), date(2025, 3, 20), "van"),
    ],
)
def test_the_sets_agree_with_counting_the_encounters(data, settings, start, end, where):
    location = getattr(data, where) if where else None
    from_sets = counts(data, start, end, location=location)
    settings.REPORTS_PARTICIPANT_SETS = False
    assert not people.sets_on()
    assert counts(data, start, end, location=location) == from_sets


def test_today_is_read_from_the_encounters_and_never_stored(data, manager_a):
    today = data.program.today()
    visit(data, manager_a, ParticipantFactory(program=data.program), timezone.now())
    assert counts(data, today, today)[0] == 1
    assert not SeenParticipants.objects.filter(program=data.program, start__gte=today).exists()


def test_by_location_and_monthly_trend_count_people_from_the_sets(data):
    scope = Scope(data.program, date(2025, 2, 1), date(2025, 4, 30))
    months = measures.trend(scope, ["unduplicated_participants"], "month")
    assert [numbers["unduplicated_participants"] for _start, numbers in months] == [3, 5, 1]
    sites = dict(
        (location.name, numbers["unduplicated_participants"])
        for location, numbers in measures.by_location(
            Scope(data.program, *MARCH), ["encounters", "unduplicated_participants"]
        )
    )
    assert sites == {data.site.name: 5, data.van.name: 1}


PEOPLE_BREAKDOWNS = ["age_band", "gender", "race_ethnicity", "zip3", "populations", "substances",
                     "routes_of_use", "encounters_by_site"]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "where"),
    [
        (date(2025, 3, 1), date(2025, 3, 31), None),
        (date(2025, 1, 1), date(2025, 12, 31), None),
        (date(2025, 2, 28), date(2025, 4, 1), "site"),
    ],
)
def test_breakdowns_of_people_from_the_sets_agree_with_sql(data, settings, start, end, where):
    location = getattr(data, where) if where else None
    scope = Scope(data.program, start, end, location=location)
    from_sets = {key: measures.breakdown(scope, key).rows for key in PEOPLE_BREAKDOWNS}
    assert any(rows for rows in from_sets.values())
    settings.REPORTS_PARTICIPANT_SETS = False
    assert {key: measures.breakdown(scope, key).rows for key in PEOPLE_BREAKDOWNS} == from_sets


def test_people_served_from_the_sets_are_the_participants_of_the_encounters(data):
    scope = Scope(data.program, *MARCH)
    by_hand = set(
        Encounter.objects.filter(
            program=data.program,
            occurred_at__gte=scope.start_at,
            occurred_at__lt=scope.end_at,
            participant__isnull=False,
        ).values_list("participant_id", flat=True)
    )
    assert set(people.participants_served(scope).values_list("pk", flat=True)) == by_hand


def test_warming_builds_the_closed_months_once_and_counts_stay_exact(data, settings):
    months = (data.program.today().year - 2024) * 12 + data.program.today().month
    assert people.warm(data.program, months=months) > 0
    march = SeenParticipants.objects.get(
        program=data.program, grain="month", start=date(2025, 3, 1), location=None, kind=""
    )
    assert march.count == 5
    assert people.warm(data.program, months=months) == 0
    from_sets = counts(data)
    settings.REPORTS_PARTICIPANT_SETS = False
    assert counts(data) == from_sets == (5, 3)
