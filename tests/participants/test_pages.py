from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Location
from encounters.models import Encounter
from tests.factories import EncounterFactory, LocationFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


@pytest.fixture
def participant_b(program_b):
    return ParticipantFactory(program=program_b, alias="Sunny B")


def test_outreach_cannot_open_a_participant_of_another_program(client, outreach_a, participant_b):
    client.force_login(outreach_a)

    response = client.get(reverse("participants:detail", args=[participant_b.public_id]))

    assert response.status_code == 404


def test_search_never_returns_another_programs_participants(
    client, outreach_a, participant_a, participant_b
):
    client.force_login(outreach_a)

    response = client.get(reverse("encounters:search"), {"q": "sun"})

    assert participant_a.public_id in response.text
    assert participant_b.public_id not in response.text


def test_search_by_first_characters_of_the_public_id(client, outreach_a, participant_a):
    client.force_login(outreach_a)

    response = client.get(reverse("encounters:search"), {"q": participant_a.public_id[3:6]})

    assert participant_a.public_id in response.text


def test_funder_cannot_open_participant_pages(client, funder, participant_a):
    client.force_login(funder)

    # Not found, rather than forbidden: a funder learns nothing about participants.
    assert client.get(reverse("participants:list")).status_code == 404
    assert (
        client.get(reverse("participants:detail", args=[participant_a.public_id])).status_code
        == 404
    )


def test_timeline_lists_the_participants_encounters_newest_first(
    client, outreach_a, participant_a, site_a, django_assert_max_num_queries
):
    now = timezone.now()
    for days_ago in (1, 5, 3):
        EncounterFactory(
            program=participant_a.program,
            participant=participant_a,
            location=site_a,
            staff=outreach_a,
            occurred_at=now - timedelta(days=days_ago),
        )
    client.force_login(outreach_a)

    # 12, and 2 for the card section (the valid card, the program's card settings).
    with django_assert_max_num_queries(14):
        response = client.get(reverse("participants:detail", args=[participant_a.public_id]))

    (timeline,) = [
        section["context"]["timeline"]
        for section in response.context["sections"]
        if "timeline" in section["context"]
    ]
    assert [encounter.occurred_at for encounter in timeline] == sorted(
        (encounter.occurred_at for encounter in timeline), reverse=True
    )
    assert len(timeline) == 3


def test_encounter_list_filters_by_location_kind_and_dates(
    client, outreach_a, program_a, site_a, van_a
):
    now = timezone.now()
    at_site = EncounterFactory(
        program=program_a, location=site_a, staff=outreach_a, occurred_at=now
    )
    in_van = EncounterFactory(
        program=program_a,
        location=van_a,
        staff=outreach_a,
        occurred_at=now,
        kind=Encounter.Kind.MOBILE_UNIT,
    )
    old = EncounterFactory(
        program=program_a, location=site_a, staff=outreach_a, occurred_at=now - timedelta(days=40)
    )
    client.force_login(outreach_a)
    url = reverse("encounters:list")

    def listed(**params):
        return {encounter.pk for encounter in client.get(url, params).context["encounters"]}

    assert listed() == {at_site.pk, in_van.pk, old.pk}
    assert listed(location=van_a.pk) == {in_van.pk}
    assert listed(kind=Encounter.Kind.MOBILE_UNIT) == {in_van.pk}
    since = (outreach_a.program.today() - timedelta(days=7)).isoformat()
    assert listed(date_from=since) == {at_site.pk, in_van.pk}


def test_encounter_list_hides_other_programs(client, outreach_a, program_b, site_b):
    EncounterFactory(program=program_b, location=site_b)
    client.force_login(outreach_a)

    response = client.get(reverse("encounters:list"))

    assert list(response.context["encounters"]) == []


def test_encounter_list_pages_without_overlap_in_few_queries(
    client, outreach_a, program_a, site_a, django_assert_max_num_queries
):
    same_moment = timezone.now()
    created = {
        EncounterFactory(
            program=program_a,
            location=site_a,
            staff=outreach_a,
            occurred_at=same_moment - timedelta(minutes=minutes % 40),
        ).pk
        for minutes in range(60)
    }
    client.force_login(outreach_a)
    url = reverse("encounters:list")

    with django_assert_max_num_queries(12):
        first = client.get(url)
    second = client.get(url + first.context["older"])

    first_ids = {encounter.pk for encounter in first.context["encounters"]}
    second_ids = {encounter.pk for encounter in second.context["encounters"]}
    assert len(first_ids) == 50
    assert first_ids.isdisjoint(second_ids)
    assert first_ids | second_ids == created
    assert second.context["older"] is None


def test_encounter_list_ignores_a_malformed_cursor(client, outreach_a):
    client.force_login(outreach_a)

    response = client.get(reverse("encounters:list"), {"before": "garbage|x"})

    assert response.status_code == 200


def test_encounter_screen_offers_only_assigned_locations(
    client, outreach_a, site_a, van_a, program_a
):
    LocationFactory(
        program=program_a, name="Closed site", kind=Location.Kind.FIXED_SITE, is_active=False
    )
    client.force_login(outreach_a)

    form = client.get(reverse("encounters:new")).context["form"]

    assert list(form.fields["location"].queryset) == [site_a]
