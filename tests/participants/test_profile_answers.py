"""The participant page shows answers by their labels, never the stored codes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from participants.forms import ParticipantProfileForm
from participants.models import Characteristic
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant_a(program_a):
    participant = ParticipantFactory(program=program_a, alias="Sunny")
    for question, value in [
        (Characteristic.Question.POPULATION, "unhoused"),
        (Characteristic.Question.POPULATION, "people_who_use_drugs"),
        (Characteristic.Question.ROUTE, "injection"),
    ]:
        Characteristic.objects.create(participant=participant, question=question, value=value)
    return participant


def detail(client, user, participant):
    client.force_login(user)
    return client.get(reverse("participants:detail", args=[participant.public_id])).text


def test_answers_show_their_labels_in_the_forms_order(client, outreach_a, participant_a):
    page = detail(client, outreach_a, participant_a)

    assert "People who use drugs, Unhoused" in page
    assert "Routes of use" in page
    assert "Injecting" in page
    assert "people_who_use_drugs" not in page
    assert "injection" not in page


def test_answers_show_their_labels_in_spanish(client, outreach_a, participant_a):
    outreach_a.language = "es"
    outreach_a.save(update_fields=["language"])

    page = detail(client, outreach_a, participant_a)

    assert "Personas que usan drogas, Personas sin vivienda" in page
    assert "Formas de uso" in page
    assert "Inyectarse" in page
    assert "people_who_use_drugs" not in page


def test_no_answers_show_a_dash(client, outreach_a, program_a):
    page = detail(client, outreach_a, ParticipantFactory(program=program_a))

    assert "Other answers" in page


@pytest.mark.parametrize(
    ("birth_year", "accepted"),
    [(2016, True), (2017, False)],  # at least 10 years old on the program's date, 2026
)
def test_birth_years_follow_the_programs_year_not_the_servers(birth_year, accepted):
    # 03:00 UTC on New Year's Day is still 31 December in New York.
    with (
        time_machine.travel(datetime(2027, 1, 1, 3, 0, tzinfo=UTC), tick=False),
        timezone.override(ZoneInfo("America/New_York")),
    ):
        form = ParticipantProfileForm(data={"birth_year": birth_year})
        assert form.is_valid() is accepted, form.errors
