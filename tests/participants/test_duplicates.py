import pytest
from django.urls import reverse

from audit.models import AuditEntry
from participants import services
from participants.models import Participant, PossibleDuplicate
from tests.factories import EncounterFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_code_one_character_apart_is_flagged(outreach_a):
    first, _ = services.enroll_participant(by=outreach_a, code="MA0385TF")
    second, _ = services.enroll_participant(by=outreach_a, code="MA0386TF")

    pair = PossibleDuplicate.objects.get()
    assert {pair.participant, pair.other} == {first, second}
    assert pair.reason == PossibleDuplicate.Reason.NEAR_CODE


def test_same_alias_and_birth_year_is_flagged(outreach_a):
    services.enroll_participant(
        by=outreach_a, code="AAAAAAAA", profile={"alias": "Sunny", "birth_year": 1980}
    )
    services.enroll_participant(
        by=outreach_a, code="ZZZZZZZZ", profile={"alias": "sunny", "birth_year": 1980}
    )

    assert PossibleDuplicate.objects.get().reason == PossibleDuplicate.Reason.SAME_ALIAS_AND_YEAR


def test_different_codes_are_not_flagged(outreach_a):
    services.enroll_participant(by=outreach_a, code="MA0385TF")
    services.enroll_participant(by=outreach_a, code="JO1190PM")

    assert not PossibleDuplicate.objects.exists()


def test_near_codes_in_another_program_are_not_flagged(outreach_a, outreach_b):
    services.enroll_participant(by=outreach_a, code="MA0385TF")
    services.enroll_participant(by=outreach_b, code="MA0386TF")

    assert not PossibleDuplicate.objects.exists()


def test_merge_moves_history_and_is_recorded(client, manager_a, outreach_a, site_a):
    keep, _ = services.enroll_participant(by=outreach_a, code="MA0385TF")
    duplicate, _ = services.enroll_participant(
        by=outreach_a, code="MA0386TF", profile={"alias": "Sunny"}
    )
    for participant in (keep, duplicate, duplicate):
        EncounterFactory(
            program=keep.program, participant=participant, location=site_a, staff=outreach_a
        )
    pair = PossibleDuplicate.objects.get()
    action = "keep_other" if pair.other == keep else "keep_participant"
    client.force_login(manager_a)

    client.post(
        reverse("participants:duplicate_resolve", args=[pair.pk]),
        {"action": action, "confirmed": "yes"},
    )

    assert list(Participant.objects.all()) == [keep]
    keep.refresh_from_db()
    assert keep.encounters.count() == 3
    assert keep.alias == "Sunny"
    entry = AuditEntry.objects.get(action="participants.participant.merged")
    assert entry.actor == manager_a
    assert entry.details["merged"] == duplicate.public_id


def test_a_pair_merged_the_other_way_meanwhile_gives_a_message_not_an_error(
    client, manager_a, outreach_a, site_a, monkeypatch
):
    keep, _ = services.enroll_participant(by=outreach_a, code="MA0385TF")
    duplicate, _ = services.enroll_participant(by=outreach_a, code="MA0386TF")
    EncounterFactory(program=keep.program, participant=duplicate, location=site_a, staff=outreach_a)
    pair = PossibleDuplicate.objects.get()
    action = "keep_other" if pair.other == keep else "keep_participant"
    merge = services.merge_participants

    def merged_the_other_way_first(*, by, keep, duplicate):
        # Another manager's opposite merge is committed between this page's lookup and its merge.
        merge(by=by, keep=duplicate, duplicate=keep)
        return merge(by=by, keep=keep, duplicate=duplicate)

    monkeypatch.setattr(services, "merge_participants", merged_the_other_way_first)
    client.force_login(manager_a)

    response = client.post(
        reverse("participants:duplicate_resolve", args=[pair.pk]),
        {"action": action, "confirmed": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "One of the two participants was merged or deleted meanwhile." in [
        str(message) for message in response.context["messages"]
    ]
    assert list(Participant.objects.all()) == [duplicate]
    assert duplicate.encounters.count() == 1
    assert AuditEntry.objects.filter(action="participants.participant.merged").count() == 1


def test_outreach_cannot_open_the_duplicates_page(client, outreach_a):
    client.force_login(outreach_a)

    assert client.get(reverse("participants:duplicates")).status_code == 403


def test_manager_cannot_resolve_another_programs_pair(client, manager_a, program_b):
    pair = PossibleDuplicate.objects.create(
        program=program_b,
        participant=ParticipantFactory(program=program_b),
        other=ParticipantFactory(program=program_b),
        reason=PossibleDuplicate.Reason.NEAR_CODE,
    )
    client.force_login(manager_a)

    response = client.post(
        reverse("participants:duplicate_resolve", args=[pair.pk]), {"action": "dismiss"}
    )

    assert response.status_code == 404
    pair.refresh_from_db()
    assert not pair.dismissed
