"""Reading a participant through the API writes the same audit entry as opening their page."""

import pytest

from audit.models import AuditEntry
from participants.models import Participant
from tests.api.conftest import CODE_ANSWERS

pytestmark = pytest.mark.django_db

VIEWED = "participants.participant.viewed"


def reads_of(participant) -> list[dict]:
    return list(
        AuditEntry.objects.filter(action=VIEWED, object_id=str(participant.pk))
        .order_by("pk")
        .values_list("details", flat=True)
    )


def test_reading_a_participant_by_public_id_is_audited(outreach_a_api, participant_a):
    outreach_a_api.get(f"/api/v1/participants/{participant_a.public_id}/")
    outreach_a_api.get(f"/api/v1/participants/?public_id={participant_a.public_id}")

    assert reads_of(participant_a) == [{"api": "detail"}, {"api": "public_id"}]


def test_the_plain_list_is_not_a_read_of_each_participant(outreach_a_api, participant_a):
    outreach_a_api.get("/api/v1/participants/")

    assert reads_of(participant_a) == []


def test_a_lookup_or_enrolment_that_finds_someone_is_audited(outreach_a_api):
    enrolled = outreach_a_api.post(
        "/api/v1/participants/", {"answers": CODE_ANSWERS}, format="json"
    )
    participant = Participant.objects.get(public_id=enrolled.json()["public_id"])

    found = outreach_a_api.post(
        "/api/v1/participants/lookup/", {"answers": CODE_ANSWERS}, format="json"
    )
    again = outreach_a_api.post("/api/v1/participants/", {"answers": CODE_ANSWERS}, format="json")

    assert (enrolled.status_code, found.status_code, again.status_code) == (201, 200, 200)
    assert reads_of(participant) == [{"api": "lookup"}, {"api": "enrolment"}]
