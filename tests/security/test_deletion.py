"""A manager deletes a participant on request: identity gone, history anonymous, totals kept."""

import json

import pytest
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from encounters.models import EncounterSupply
from participants import selectors
from participants.models import Characteristic, Participant
from referrals.models import Referral
from tests.factories import EncounterFactory, ItemFactory, ParticipantFactory, UserFactory
from tests.security.aggregates import program_totals

pytestmark = pytest.mark.django_db


@pytest.fixture
def sunny(program_a, site_a, outreach_a):
    """A participant of program A with a profile, two visits with supplies and a referral."""
    participant = ParticipantFactory(
        program=program_a,
        code="MA0385TF",
        alias="Sunny",
        birth_year=1980,
        gender_identity=Participant.GenderIdentity.WOMAN,
        zip3="857",
    )
    Characteristic.objects.create(participant=participant, question="substance", value="fentanyl")
    item = ItemFactory(program=program_a)
    for quantity in (10, 20):
        encounter = EncounterFactory(
            program=program_a,
            participant=participant,
            location=site_a,
            staff=outreach_a,
            note="sleeps at the bus depot",
        )
        EncounterSupply.objects.create(encounter=encounter, item=item, quantity=quantity)
    Referral.objects.create(
        program=program_a,
        participant=participant,
        kind="housing",
        made_by=outreach_a,
        made_at=encounter.occurred_at,
        follow_up_due=encounter.occurred_at.date(),
        status=Referral.Status.MADE,
        outcome_note="her sister's place",
    )
    return participant


def _delete_url(participant):
    return reverse("participants:delete", args=[participant.public_id])


def test_confirmation_page_says_what_happens(client, manager_a, sunny):
    client.force_login(manager_a)

    response = client.get(_delete_url(sunny))

    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot be undone" in page
    assert "2 encounters stay as anonymous visits" in page
    assert "1 referral" in page
    Participant.objects.get(pk=sunny.pk, anonymised_at__isnull=True)
    viewed = AuditEntry.objects.get(action="participants.participant.viewed")
    assert (viewed.object_id, viewed.details) == (str(sunny.pk), {"page": "delete"})


def test_participant_page_offers_deletion_to_managers_only(client, manager_a, outreach_a, sunny):
    detail = reverse("participants:detail", args=[sunny.public_id])
    client.force_login(manager_a)
    assert _delete_url(sunny) in client.get(detail).content.decode()

    client.force_login(outreach_a)
    assert _delete_url(sunny) not in client.get(detail).content.decode()


def test_deletion_needs_the_box_ticked(client, manager_a, sunny):
    client.force_login(manager_a)

    response = client.post(_delete_url(sunny), {})

    assert response.status_code == 200
    assert "Tick the box" in response.content.decode()
    sunny.refresh_from_db()
    assert sunny.anonymised_at is None
    assert sunny.alias == "Sunny"


def test_manager_deletes_identity_and_keeps_totals(client, manager_a, outreach_a, sunny):
    before = program_totals(sunny.program)
    old_public_id = sunny.public_id
    client.force_login(manager_a)

    response = client.post(_delete_url(sunny), {"confirm": "on"})

    assert response.status_code == 302
    sunny.refresh_from_db()
    assert sunny.anonymised_because == Participant.AnonymisedBecause.REQUEST
    assert (sunny.alias, sunny.birth_year, sunny.gender_identity, sunny.zip3) == ("", None, "", "")
    assert not sunny.characteristics.exists()
    assert not sunny.encounters.exclude(note="").exists()
    assert Referral.objects.get(participant=sunny).outcome_note == ""
    assert program_totals(sunny.program) == before
    # Nobody can find them any more: not by code, card id, alias, or the old page.
    assert selectors.participant_with_code(outreach_a, "MA0385TF") is None
    assert selectors.search_participants(outreach_a, "Sunny") == []
    detail = reverse("participants:detail", args=[old_public_id])
    assert client.get(detail).status_code == 404
    assert client.get(_delete_url(sunny)).status_code == 404


def test_deletion_is_audited_by_row_id_only(client, manager_a, sunny):
    old_public_id = sunny.public_id
    client.force_login(manager_a)

    client.post(_delete_url(sunny), {"confirm": "on"})

    entry = AuditEntry.objects.get(action="participants.participant.deleted_on_request")
    assert entry.actor == manager_a
    assert entry.program == sunny.program
    assert entry.object_id == str(sunny.pk)
    recorded = json.dumps([entry.details, entry.object_type, entry.object_id])
    for secret in ("Sunny", "MA0385TF", old_public_id, "bus depot", "1980"):
        assert secret not in recorded


def test_outreach_cannot_delete(client, outreach_a, sunny):
    client.force_login(outreach_a)

    assert client.get(_delete_url(sunny)).status_code == 403
    assert client.post(_delete_url(sunny), {"confirm": "on"}).status_code == 403
    sunny.refresh_from_db()
    assert sunny.anonymised_at is None


def test_manager_of_another_program_gets_404(client, program_b, sunny):
    manager_b = UserFactory(username="manager_b", role=User.Role.MANAGER, program=program_b)
    client.force_login(manager_b)

    assert client.get(_delete_url(sunny)).status_code == 404
    assert client.post(_delete_url(sunny), {"confirm": "on"}).status_code == 404
    sunny.refresh_from_db()
    assert sunny.anonymised_at is None


@pytest.mark.parametrize("role", ["funder", "anonymous"])
def test_funders_and_strangers_cannot_delete(client, role, funder, sunny):
    if role == "funder":
        client.force_login(funder)

    response = client.post(_delete_url(sunny), {"confirm": "on"})

    if role == "funder":
        assert response.status_code == 404  # funders are never told participant pages exist
    else:
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    sunny.refresh_from_db()
    assert sunny.anonymised_at is None
