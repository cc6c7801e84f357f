"""After a merge the removed public id and code lead to the participant kept: the page
redirects with a message, search and the code lookup find them, enrolment does not make a new
participant. A merge, and publishing a report, each ask to be confirmed on a second page."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from encounters.models import Encounter
from participants import retention, selectors, services
from participants.models import MergedId, Participant, PossibleDuplicate
from reports.models import ReportRun
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged_pair(outreach_a, manager_a):
    keep, _ = services.enroll_participant(by=outreach_a, code="MA0385TF")
    removed, _ = services.enroll_participant(by=outreach_a, code="MA0386TF")
    removed_id = removed.public_id
    services.merge_participants(by=manager_a, keep=keep, duplicate=removed)
    return keep, removed_id


def test_the_removed_id_redirects_to_the_kept_participant_with_a_message(
    client, outreach_a, merged_pair
):
    keep, removed_id = merged_pair
    client.force_login(outreach_a)

    response = client.get(reverse("participants:detail", args=[removed_id]), follow=True)

    assert response.redirect_chain == [(reverse("participants:detail", args=[keep.public_id]), 302)]
    assert f"{removed_id} was merged into {keep.public_id}." in [
        str(message) for message in response.context["messages"]
    ]


def test_search_code_lookup_and_enrolment_find_the_kept_participant(outreach_a, merged_pair):
    keep, removed_id = merged_pair

    assert selectors.search_participants(outreach_a, removed_id) == [keep]
    assert selectors.participant_with_code(outreach_a, "MA0386TF") == keep
    again, created = services.enroll_participant(by=outreach_a, code="MA0386TF")
    assert (again, created) == (keep, False)
    assert Participant.objects.count() == 1


def test_a_phone_still_holding_the_removed_id_syncs_onto_the_kept_participant(
    outreach_a, site_a, merged_pair
):
    keep, removed_id = merged_pair
    client = APIClient()
    client.force_authenticate(outreach_a)
    queued = {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": site_a.pk,
        "kind": "fixed_site",
        "participant": removed_id,
        "supplies": [],
    }

    synced = client.post("/api/v1/sync/", {"items": [queued]}, format="json")
    read = client.get(f"/api/v1/participants/{removed_id}/")

    assert [r["status"] for r in synced.json()["results"]] == ["created"]
    assert Encounter.objects.get(pk=queued["id"]).participant == keep
    assert read.status_code == 200 and read.json()["public_id"] == keep.public_id


def test_the_encounter_screen_takes_the_removed_id_for_the_kept_participant(
    client, outreach_a, site_a, merged_pair
):
    keep, removed_id = merged_pair
    client.force_login(outreach_a)
    local = timezone.localtime(timezone.now(), outreach_a.program.tzinfo)

    client.post(
        reverse("encounters:new"),
        {
            "encounter_id": str(uuid.uuid4()),
            "participant": removed_id,
            "location": site_a.pk,
            "kind": "fixed_site",
            "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 0,
        },
    )

    assert Encounter.objects.get().participant == keep


def test_a_later_merge_carries_the_removed_ids_along(outreach_a, manager_a, merged_pair):
    keep, removed_id = merged_pair
    survivor, _ = services.enroll_participant(by=outreach_a, code="ZZ9999ZZ")

    services.merge_participants(by=manager_a, keep=survivor, duplicate=keep)

    assert set(MergedId.objects.values_list("public_id", "participant")) == {
        (removed_id, survivor.pk),
        (keep.public_id, survivor.pk),
    }


def test_the_removed_id_stays_hidden_from_another_program(client, outreach_b, merged_pair):
    _keep, removed_id = merged_pair
    client.force_login(outreach_b)

    assert client.get(reverse("participants:detail", args=[removed_id])).status_code == 404


def test_a_merge_asks_to_be_confirmed_first(client, manager_a, outreach_a):
    keep, _ = services.enroll_participant(by=outreach_a, code="MA0385TF")
    services.enroll_participant(by=outreach_a, code="MA0386TF")
    pair = PossibleDuplicate.objects.get()
    action = "keep_other" if pair.other == keep else "keep_participant"
    url = reverse("participants:duplicate_resolve", args=[pair.pk])
    client.force_login(manager_a)

    asked = client.post(url, {"action": action})

    assert asked.status_code == 200
    assert "cannot be undone" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert Participant.objects.count() == 2
    client.post(url, {"action": action, "confirmed": "yes"})
    assert list(Participant.objects.all()) == [keep]


def test_publishing_asks_to_be_confirmed_first(client, definitions, manager_a):
    run = ReportRun.objects.create(
        definition=definitions["monthly_program"],
        period_start="2025-11-01",
        period_end="2025-11-30",
        requested_by=manager_a,
        status=ReportRun.Status.SUCCEEDED,
        csv_file=b"Report,csv",
        xlsx_file=b"PK xlsx",
        pdf_file=b"%PDF- pdf",
    )
    url = reverse("reports:run_publish", args=[run.pk])
    client.force_login(manager_a)

    asked = client.post(url)

    assert asked.status_code == 200
    assert "cannot be taken back" in asked.text
    run.refresh_from_db()
    assert run.published_at is None
    assert client.post(url, {"confirmed": "yes"}).status_code == 302
    run.refresh_from_db()
    assert run.published_at is not None


def test_deleting_the_kept_participant_on_request_forgets_the_merged_ids_too(
    client, manager_a, merged_pair
):
    keep, removed_id = merged_pair

    retention.delete_participant_on_request(by=manager_a, participant=keep)

    assert not MergedId.objects.exists()
    client.force_login(manager_a)
    assert client.get(reverse("participants:detail", args=[removed_id])).status_code == 404
