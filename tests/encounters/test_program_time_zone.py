"""Every request works in the program's time zone: a time typed for back-entry is the program's,
and the API states times with the program's offset. The clock is pinned at 23:30 on 9 March in
New York, already 10 March in UTC."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from encounters.models import Encounter
from tests.encounters.test_encounters import NEW, encounter_data
from tests.factories import EncounterFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]

NEW_YORK = ZoneInfo("America/New_York")


def test_a_time_typed_on_the_encounter_screen_is_read_in_the_program_zone(
    client, outreach_a, site_a, catalogue_a
):
    outreach_a.user_permissions.add(Permission.objects.get(codename="backdate_encounter"))
    client.force_login(outreach_a)

    response = client.post(NEW, encounter_data(site_a, occurred_at="2026-03-09T21:15"))

    assert response.status_code == 302
    encounter = Encounter.objects.get()
    assert encounter.occurred_at == datetime(2026, 3, 9, 21, 15, tzinfo=NEW_YORK)


def test_the_encounter_list_shows_the_program_day_and_time(client, manager_a, site_a):
    EncounterFactory(program=manager_a.program, location=site_a, staff=manager_a)
    client.force_login(manager_a)

    response = client.get("/encounters/")

    assert response.status_code == 200
    assert "11:30" in response.text or "23:30" in response.text
    assert "04:30" not in response.text


def test_the_api_states_times_with_the_program_offset(outreach_a, site_a):
    encounter = Encounter.objects.create(
        program=outreach_a.program,
        location=site_a,
        staff=outreach_a,
        kind=Encounter.Kind.FIXED_SITE,
        occurred_at=timezone.now(),
    )
    api = APIClient()
    api.force_login(outreach_a)

    response = api.get(f"/api/v1/encounters/{encounter.pk}/")

    assert response.json()["occurred_at"].startswith("2026-03-09T23:30")
    assert response.json()["occurred_at"].endswith("-04:00")
