"""Participants through the API: found by public id or code answers, enrolled once, and
program B's never visible to program A."""

import pytest

from audit.models import AuditEntry
from participants.models import Participant

pytestmark = pytest.mark.django_db

PARTICIPANTS = "/api/v1/participants/"


def test_a_participant_is_found_by_public_id(outreach_a_api, participant_a):
    response = outreach_a_api.get(PARTICIPANTS, {"public_id": participant_a.public_id.lower()})

    assert response.status_code == 200
    assert [row["public_id"] for row in response.json()["results"]] == [participant_a.public_id]
    assert "code_hash" not in response.json()["results"][0]


def test_a_participant_is_read_by_public_id(outreach_a_api, participant_a):
    response = outreach_a_api.get(f"{PARTICIPANTS}{participant_a.public_id}/")

    assert response.status_code == 200
    assert response.json()["alias"] == "Sky"


def test_program_b_gets_404_on_program_a_participants(outreach_b_api, participant_a):
    detail = outreach_b_api.get(f"{PARTICIPANTS}{participant_a.public_id}/")
    listed = outreach_b_api.get(PARTICIPANTS, {"public_id": participant_a.public_id})

    assert detail.status_code == 404
    assert detail.json() == {"detail": "Not found."}
    assert listed.json()["results"] == []


def test_enrolment_derives_the_code_and_gives_a_public_id(outreach_a_api, code_answers):
    response = outreach_a_api.post(
        PARTICIPANTS,
        {
            "answers": code_answers,
            "profile": {"alias": "Moss", "birth_year": 1985, "populations": ["unhoused"]},
        },
        format="json",
    )

    participant = Participant.objects.get()
    assert response.status_code == 201
    assert response.json()["public_id"] == participant.public_id
    assert response.json()["populations"] == ["unhoused"]
    assert participant.alias == "Moss"
    assert AuditEntry.objects.filter(action="participants.participant.enrolled").count() == 1


def test_the_same_answers_again_return_the_enrolled_participant(outreach_a_api, code_answers):
    first = outreach_a_api.post(PARTICIPANTS, {"answers": code_answers}, format="json")
    again = outreach_a_api.post(PARTICIPANTS, {"answers": code_answers}, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["public_id"] == first.json()["public_id"]
    assert Participant.objects.count() == 1


def test_enrolment_errors_name_each_answer(outreach_a_api, code_answers):
    response = outreach_a_api.post(
        PARTICIPANTS,
        {
            "answers": code_answers | {"birth_month": "13", "birth_place": ""},
            "profile": {"zip3": "12a", "populations": ["declined", "unhoused"]},
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"answers.birth_month", "answers.birth_place"}
    assert not Participant.objects.exists()


def test_profile_errors_are_named_too(outreach_a_api, code_answers):
    response = outreach_a_api.post(
        PARTICIPANTS,
        {"answers": code_answers, "profile": {"zip3": "12a", "populations": ["declined", "msm"]}},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "profile.zip3": ["Enter three digits."],
        "profile.populations": ["Choose answers or 'declined to answer', not both."],
    }


def test_unknown_questions_are_refused(outreach_a_api, code_answers):
    response = outreach_a_api.post(
        PARTICIPANTS, {"answers": code_answers | {"full_name": "x"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"answers": ["Unknown question: full_name."]}


def test_lookup_by_code_answers_finds_the_participant(outreach_a_api, code_answers):
    enrolled = outreach_a_api.post(PARTICIPANTS, {"answers": code_answers}, format="json").json()
    answers_again = code_answers | {"mother_first_name": "maria", "birth_place": "TUCSON"}

    response = outreach_a_api.post(
        f"{PARTICIPANTS}lookup/", {"answers": answers_again}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["public_id"] == enrolled["public_id"]


def test_lookup_does_not_find_another_programs_participant(
    outreach_a_api, outreach_b_api, code_answers
):
    outreach_a_api.post(PARTICIPANTS, {"answers": code_answers}, format="json")

    response = outreach_b_api.post(
        f"{PARTICIPANTS}lookup/", {"answers": code_answers}, format="json"
    )

    assert response.status_code == 404
    assert "detail" in response.json()


def test_recent_lists_the_workers_latest_participants(outreach_a_api, encounter_a):
    response = outreach_a_api.get(f"{PARTICIPANTS}recent/")

    assert response.json() == [{"public_id": encounter_a.participant.public_id, "alias": "Sky"}]


def test_questions_follow_the_programs_recipe(outreach_a_api, program_a):
    program_a.code_recipe = [
        {"question": "chosen_letters", "first": 4},
        {"question": "birth_year", "last": 4},
    ]
    program_a.save()

    response = outreach_a_api.get(f"{PARTICIPANTS}questions/")

    assert [q["key"] for q in response.json()["questions"]] == ["chosen_letters", "birth_year"]
