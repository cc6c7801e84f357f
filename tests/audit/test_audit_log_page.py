"""The audit log as a manager reads it: actions in words of their language, objects named and
linked, details labelled, and a filtered CSV download that is itself logged."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from audit.services import record_action
from participants import services as participant_services
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a)


@pytest.fixture
def moon(outreach_a, participant_a):
    outreach_a.first_name, outreach_a.last_name = "Sam", "Rivera"
    outreach_a.save(update_fields=["first_name", "last_name"])
    participant_services.update_participant_profile(
        by=outreach_a, participant=participant_a, profile={"alias": "Moon"}, characteristics={}
    )
    return participant_a


def test_the_log_reads_as_words_with_links_and_labelled_details(client, manager_a, moon):
    record_action(actor=manager_a, action="supplies.stock.received", details={"quantity": 24})
    client.force_login(manager_a)

    page = client.get(reverse("audit:log")).text

    assert "Participant&#x27;s answers changed" in page
    assert "Sam Rivera" in page
    assert f'href="{reverse("participants:detail", args=[moon.public_id])}"' in page
    assert "Stock received" in page
    assert "Quantity:</dt> <dd" in page
    assert "{&#x27;quantity&#x27;" not in page


def test_the_log_speaks_the_managers_language(client, manager_a, moon):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])
    client.force_login(manager_a)

    page = client.get(reverse("audit:log")).text

    assert "Respuestas del participante cambiadas" in page
    assert "Participant&#x27;s answers changed" not in page


def test_an_action_nobody_registered_still_reads_as_words(client, manager_a):
    record_action(actor=manager_a, action="cards.card.printed", details={"copies_made": 2})
    client.force_login(manager_a)

    page = client.get(reverse("audit:log")).text

    assert "Cards · card · printed" in page
    assert "Copies made:" in page


def test_the_csv_download_follows_the_filters_and_is_logged(client, manager_a, outreach_a, moon):
    record_action(actor=manager_a, action="supplies.stock.received", details={"quantity": 24})
    client.force_login(manager_a)

    response = client.get(reverse("audit:download"), {"action": "participants."})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["When", "Who", "Action"]
    assert [row[3] for row in rows[1:]] == ["participants.participant.updated"]
    assert rows[1][1] == "Sam Rivera"
    assert rows[1][5] == moon.public_id
    download = AuditEntry.objects.get(action="audit.log.downloaded")
    assert download.actor == manager_a
    assert download.details == {"rows": 1, "filters": {"action": "participants."}}


def test_outreach_cannot_download_the_log(client, outreach_a):
    client.force_login(outreach_a)

    assert client.get(reverse("audit:download")).status_code == 403
    assert not AuditEntry.objects.filter(action="audit.log.downloaded").exists()


def test_a_download_from_an_older_page_reads_in_spanish_without_the_page_cursor(
    client, manager_a, moon
):
    manager_a.language = "es"
    manager_a.save(update_fields=["language"])
    client.force_login(manager_a)
    cursor = {"action": "participants.", "before": "2026-01-05T10:00:00+00:00|123"}

    older_page = client.get(reverse("audit:log"), cursor).text
    client.get(reverse("audit:download"), cursor)
    page = client.get(reverse("audit:log")).text

    assert "?action=participants." in older_page
    assert "before=" not in older_page.split("data-audit-download")[0].rsplit("<a", 1)[1]
    download = AuditEntry.objects.get(action="audit.log.downloaded")
    assert download.details["filters"] == {"action": "participants."}
    assert "Filas:</dt>" in page
    assert "Filtros:</dt>" in page
    assert "Acción: participants." in page
    assert "2026-01-05T10:00" not in page
