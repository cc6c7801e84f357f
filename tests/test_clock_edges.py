"""The program's date at the clock's awkward edges, where the server's date (UTC) and the
program's (New York) part ways: the spring and autumn clock changes, the new year, the last day
of a month. Each moment is late evening in New York, already the next day in UTC (or, at the
autumn change, the repeated hour). At each, what a person does "today" must fall on the
program's today: an encounter logged now, a training given today, a report that ends today, a
referral's follow-up date.

The suite's pinned clock (tests/conftest.py) covers one such evening for every test; these
travel on to the others.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter
from encounters.services import record_encounter
from referrals.services import make_referral
from reports.services import ReportError, check_period
from tests.conftest import PROGRAM_TODAY
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

# (UTC moment, the program's date then, what it is)
EDGES = [
    (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), date(2026, 3, 7), "the eve of the spring change"),
    (datetime(2026, 3, 8, 6, 59, tzinfo=UTC), date(2026, 3, 8), "a minute before 2:00 EST skips"),
    (datetime(2026, 3, 9, 3, 30, tzinfo=UTC), date(2026, 3, 8), "the first evening of EDT"),
    (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), date(2026, 11, 1), "1:30, the first time"),
    (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), date(2026, 11, 1), "1:30, the second time"),
    (
        datetime(2026, 11, 2, 4, 59, tzinfo=UTC),
        date(2026, 11, 1),
        "end of a 25-hour day",
    ),
    (datetime(2026, 11, 1, 3, 59, tzinfo=UTC), date(2026, 10, 31), "the last day of October"),
    (datetime(2027, 1, 1, 4, 30, tzinfo=UTC), date(2026, 12, 31), "new year's eve"),
    (datetime(2027, 1, 1, 5, 0, tzinfo=UTC), date(2027, 1, 1), "new year's midnight"),
    (datetime(2026, 5, 1, 3, 30, tzinfo=UTC), date(2026, 4, 30), "the last day of April"),
    (datetime(2027, 3, 1, 4, 30, tzinfo=UTC), date(2027, 2, 28), "the last day of February"),
]
IDS = [label for *_rest, label in EDGES]


def test_every_test_runs_at_the_programs_evening_unless_marked(program_a):
    assert timezone.now().date() == date(2026, 3, 10)  # UTC: already the next day
    assert date.today() == date(2026, 3, 10)  # the server's date, which code must not use
    assert program_a.today() == PROGRAM_TODAY == date(2026, 3, 9)


@pytest.mark.real_clock
def test_a_test_marked_real_clock_keeps_the_real_clock():
    assert not time_machine.escape_hatch.is_travelling()


@pytest.fixture(params=EDGES, ids=IDS)
def edge(request):
    moment, program_day, _label = request.param
    with time_machine.travel(moment, tick=False):
        yield program_day


def test_the_programs_today_is_its_own_date(edge, program_a):
    assert program_a.today() == edge


def test_an_encounter_logged_now_is_on_the_programs_today(edge, client, outreach_a, site_a):
    participant = ParticipantFactory(program=outreach_a.program)

    encounter, _created = record_encounter(
        by=outreach_a, participant=participant, location=site_a, kind="fixed_site", supplies=[]
    )

    local = timezone.localtime(encounter.occurred_at, outreach_a.program.tzinfo)
    assert local.date() == edge
    client.force_login(outreach_a)
    listed = client.get(
        reverse("encounters:list"), {"date_from": edge.isoformat(), "date_to": edge.isoformat()}
    ).context["encounters"]
    assert [row.pk for row in listed] == [encounter.pk]
    assert Encounter.objects.count() == 1


def test_a_training_given_today_is_not_in_the_future(edge, client, outreach_a, site_a):
    client.force_login(outreach_a)
    form = {
        "kind": "naloxone",
        "audience": "community",
        "place": "Library",
        "attendee_count": "5",
        "location": site_a.pk,
        "attendees-TOTAL_FORMS": "0",
        "attendees-INITIAL_FORMS": "0",
        "attendees-MIN_NUM_FORMS": "0",
        "attendees-MAX_NUM_FORMS": "200",
    }

    today = client.post(reverse("training:new"), {**form, "held_on": edge.isoformat()})
    tomorrow = client.post(
        reverse("training:new"), {**form, "held_on": (edge + timedelta(days=1)).isoformat()}
    )

    assert today.status_code == 302, today.context["form"].errors
    assert "This date is in the future" in tomorrow.text


def test_a_report_may_end_today_and_not_tomorrow(edge, program_a):
    check_period(program_a, edge.replace(day=1), edge)

    with pytest.raises(ReportError, match=f"cannot end after today \\({edge.isoformat()}\\)"):
        check_period(program_a, edge.replace(day=1), edge + timedelta(days=1))


def test_a_referrals_follow_up_counts_from_the_programs_today(edge, outreach_a):
    participant = ParticipantFactory(program=outreach_a.program)

    referral = make_referral(by=outreach_a, participant=participant, kind="food")

    assert referral.follow_up_due == edge + timedelta(days=3)
