"""Search results tell apart people found under the same alias: when and where each was last
seen, and when they enrolled."""

import re
from datetime import datetime

import pytest
from django.urls import reverse

from tests.conftest import PROGRAM_ZONE
from tests.factories import EncounterFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("encounters:search")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=PROGRAM_ZONE)


@pytest.fixture
def two_otters(program_a, site_a, van_a, outreach_a):
    seen, never = (ParticipantFactory(program=program_a, alias="Otter") for _ in range(2))
    # enrolled_at is set on creation: backdate it.
    for participant, day in [(seen, 2), (never, 9)]:
        type(participant).objects.filter(pk=participant.pk).update(enrolled_at=at(day))
    for occurred_at, location in [(at(10), site_a), (at(20), van_a)]:
        EncounterFactory(
            program=program_a,
            participant=seen,
            location=location,
            staff=outreach_a,
            occurred_at=occurred_at,
        )
    EncounterFactory(
        program=program_a,
        participant=seen,
        location=site_a,
        staff=outreach_a,
        occurred_at=at(25),
        voided_at=at(25, 13),
        voided_by=outreach_a,
        void_reason="Entered twice",
    )
    return seen, never


def result_lines(client, query, participants):
    """What the results say under each of the participants, in their order."""
    page = client.get(SEARCH, {"q": query}).text
    lines = {}
    for result in page.split("<button")[1:]:
        public_id = re.search(r"HR-[0-9A-Z]+", result).group(0)
        lines[public_id] = re.search(r"data-search-seen>(.*?)</span>", result, re.DOTALL).group(1)
    return [" ".join(lines[participant.public_id].split()) for participant in participants]


def test_each_result_says_when_and_where_last_seen_and_when_enrolled(
    client, outreach_a, two_otters, django_assert_max_num_queries
):
    client.force_login(outreach_a)
    with django_assert_max_num_queries(12):
        seen_line, never_line = result_lines(client, "otter", two_otters)

    assert seen_line == "Last seen 20 Feb 2026, A Van · Enrolled 2 Feb 2026"
    assert never_line == "Never seen yet · Enrolled 9 Feb 2026"


def test_results_read_in_spanish(client, outreach_a, two_otters):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])
    client.force_login(outreach_a)

    seen_line, never_line = result_lines(client, "otter", two_otters)

    assert seen_line == "Última visita: 20 Feb 2026, A Van · Inscripción: 2 Feb 2026"
    assert never_line == "Aún sin visitas · Inscripción: 9 Feb 2026"


def test_a_late_evening_visit_is_dated_in_the_programs_zone(client, outreach_a, two_otters):
    seen, _never = two_otters
    EncounterFactory(
        program=seen.program,
        participant=seen,
        location=seen.program.locations.first(),
        occurred_at=at(22, 23),
    )
    client.force_login(outreach_a)

    seen_line, _never_line = result_lines(client, "otter", two_otters)

    assert seen_line.startswith("Last seen 22 Feb 2026")
