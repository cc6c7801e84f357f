"""The API of cards and the community-relations log: the same services, errors as
{field: [message]}, scoped like the pages."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cards.models import ParticipantCard
from community_log.models import Complaint
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_card_is_made_replaced_and_withdrawn_through_the_api(outreach_a, program_a):
    participant = ParticipantFactory(program=program_a)
    client = api(outreach_a)

    made = client.post(
        "/api/v1/participant-cards/", {"participant": participant.public_id}, format="json"
    )
    again = client.post(
        "/api/v1/participant-cards/", {"participant": participant.public_id}, format="json"
    )
    replaced = client.post(
        f"/api/v1/participant-cards/{made.data['id']}/replace/", {}, format="json"
    )
    withdrawn = client.post(
        f"/api/v1/participant-cards/{replaced.data['id']}/withdraw/",
        {"because": "participant_left"},
        format="json",
    )

    assert made.status_code == 201
    assert "token" not in made.data
    assert again.status_code == 400
    assert "already has a valid card" in again.data["participant"][0]
    assert replaced.status_code == 201
    assert withdrawn.status_code == 200
    assert withdrawn.data["pdf_url"] is None
    assert not ParticipantCard.objects.filter(revoked_at__isnull=True).exists()


def test_a_card_for_an_unknown_participant_is_a_400_on_the_field(outreach_a):
    response = api(outreach_a).post(
        "/api/v1/participant-cards/", {"participant": "HR-NOONE"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.data) == ["participant"]


def test_complaints_through_the_api_and_only_managers_report_them(outreach_a, manager_a):
    received = (timezone.now() - timedelta(hours=3)).isoformat()
    made = api(outreach_a).post(
        "/api/v1/community/complaints/",
        {"received_at": received, "source_kind": "business", "what": "Litter"},
        format="json",
    )
    pk = made.data["id"]

    refused = api(outreach_a).post(f"/api/v1/community/complaints/{pk}/reported-to-state/")
    reported = api(manager_a).post(f"/api/v1/community/complaints/{pk}/reported-to-state/")
    answered = api(outreach_a).patch(
        f"/api/v1/community/complaints/{pk}/", {"response": "Swept", "resolved": True}
    )

    assert made.status_code == 201
    assert refused.status_code == 403
    assert reported.status_code == 200
    assert reported.data["reported_to_state_at"] is not None
    assert answered.status_code == 200
    assert Complaint.objects.get().resolved


def test_a_patch_changes_only_what_it_sends(outreach_a):
    client = api(outreach_a)
    received = (timezone.now() - timedelta(hours=3)).isoformat()
    pk = client.post(
        "/api/v1/community/complaints/",
        {"received_at": received, "source_kind": "business", "what": "Litter"},
        format="json",
    ).data["id"]
    client.patch(f"/api/v1/community/complaints/{pk}/", {"response": "Swept"}, format="json")

    resolved = client.patch(
        f"/api/v1/community/complaints/{pk}/", {"resolved": True}, format="json"
    )

    assert resolved.status_code == 200
    complaint = Complaint.objects.get()
    assert (complaint.response, complaint.resolved) == ("Swept", True)


def test_bad_input_is_a_400_with_the_field(outreach_a):
    client = api(outreach_a)
    tomorrow = (outreach_a.program.today() + timedelta(days=2)).isoformat()

    future = client.post(
        "/api/v1/community/stick-injuries/",
        {"occurred_on": tomorrow, "injured_person": "child"},
        format="json",
    )
    bad_choice = client.post(
        "/api/v1/community/police-interactions/",
        {"occurred_on": "2026-01-01", "kind": "tea"},
        format="json",
    )
    no_team = client.post(
        "/api/v1/community/found-syringes/",
        {
            "reported_on": outreach_a.program.today().isoformat(),
            "source_kind": "resident",
            "place": "Park",
            "syringes_collected": 5,
        },
        format="json",
    )

    assert future.status_code == 400 and list(future.data) == ["occurred_on"]
    assert bad_choice.status_code == 400 and list(bad_choice.data) == ["kind"]
    assert no_team.status_code == 400 and list(no_team.data) == ["location"]


@pytest.mark.parametrize(
    ("endpoint", "entry", "field"),
    [
        (
            "complaints",
            {"received_at": "0001-01-01T00:00:00Z", "source_kind": "resident", "what": "Noise"},
            "received_at",
        ),
        (
            "complaints",
            {"received_at": "2026-01-01T10:00:00", "source_kind": "resident", "what": "Noise"},
            "received_at",
        ),
        ("stick-injuries", {"occurred_on": "0001-01-01", "injured_person": "child"}, "occurred_on"),
        (
            "found-syringes",
            {"reported_on": "1899-12-31", "source_kind": "resident", "place": "Park"},
            "reported_on",
        ),
    ],
)
def test_a_time_the_system_cannot_hold_is_a_400_and_nothing_is_kept(
    outreach_a, endpoint, entry, field
):
    response = api(outreach_a).post(f"/api/v1/community/{endpoint}/", entry, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not Complaint.objects.exists()


def test_program_b_reads_none_of_program_a(outreach_a, outreach_b):
    api(outreach_a).post(
        "/api/v1/community/police-interactions/",
        {"occurred_on": outreach_a.program.today().isoformat(), "kind": "stop"},
        format="json",
    )

    assert api(outreach_a).get("/api/v1/community/police-interactions/").data
    listed = api(outreach_b).get("/api/v1/community/police-interactions/").data
    assert (listed.get("results", listed) if isinstance(listed, dict) else listed) == []
