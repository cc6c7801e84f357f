"""Training sessions through the API: recorded by the training service, naloxone taken from
stock, outreach staff seeing only the trainings they gave."""

from datetime import date, timedelta

import pytest

from supplies.models import StockLevel
from training.models import TrainingSession
from training.services import record_training_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]

TRAININGS = "/api/v1/training-sessions/"
PROGRAM_TODAY = date(2026, 3, 9)  # under the program_evening clock


def session_body(**extra) -> dict:
    """A valid training held today where programs of the tests work (New York)."""
    return {
        "kind": "naloxone",
        "audience": "community",
        "held_on": PROGRAM_TODAY.isoformat(),
        "place": "Public library",
        "attendee_count": 12,
        **extra,
    }


def test_a_training_is_recorded_with_attendees_and_kits_from_stock(
    outreach_a_api, site_a, stock_a, participant_a
):
    response = outreach_a_api.post(
        TRAININGS,
        session_body(
            location=site_a.pk,
            kits=[{"item": stock_a["naloxone"].pk, "quantity": 3}],
            attendees=[
                {
                    "name": "Jo Doe",
                    "agency": "Library",
                    "pre_test_score": 40,
                    "post_test_score": 90,
                },
                {"participant": participant_a.public_id},
            ],
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kits"] == [{"item": "Naloxone nasal", "quantity": 3}]
    assert [a["name"] for a in data["attendees"]] == ["Jo Doe", ""]
    assert data["attendees"][1]["participant"] == participant_a.public_id
    level = StockLevel.objects.get(location=site_a, lot__item=stock_a["naloxone"])
    assert level.on_hand == 2


def test_kits_beyond_the_stock_are_a_409_and_nothing_is_saved(outreach_a_api, site_a, stock_a):
    response = outreach_a_api.post(
        TRAININGS,
        session_body(location=site_a.pk, kits=[{"item": stock_a["naloxone"].pk, "quantity": 8}]),
        format="json",
    )

    assert response.status_code == 409
    assert list(response.json()) == ["kits"]
    assert not TrainingSession.objects.exists()


def test_training_errors_name_the_field(outreach_a_api, stock_a, participant_a):
    tomorrow = (PROGRAM_TODAY + timedelta(days=2)).isoformat()

    response = outreach_a_api.post(
        TRAININGS,
        session_body(
            held_on=tomorrow,
            attendee_count=0,
            kits=[{"item": stock_a["syringes"].pk, "quantity": 1}],
            attendees=[{"participant": participant_a.public_id, "name": "Named"}],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {
        "held_on",
        "attendee_count",
        "kits.0.item",
        "attendees.0.non_field_errors",
    }


def test_outreach_record_only_trainings_they_gave(outreach_a_api, manager_a):
    response = outreach_a_api.post(TRAININGS, session_body(trainer=manager_a.pk), format="json")

    assert response.status_code == 400
    assert response.json() == {"trainer": ["Record only the trainings you gave yourself."]}


def test_outreach_see_their_own_trainings_and_managers_all(
    outreach_a, manager_a, outreach_a_api, manager_a_api
):
    today = manager_a.program.today()
    own = record_training_session(
        by=outreach_a,
        kind="naloxone",
        held_on=today,
        place="Park",
        audience="community",
        attendee_count=3,
    )
    others = record_training_session(
        by=manager_a,
        kind="staff",
        held_on=today,
        place="Office",
        audience="providers",
        attendee_count=4,
    )

    assert [r["id"] for r in outreach_a_api.get(TRAININGS).json()["results"]] == [own.pk]
    assert outreach_a_api.get(f"{TRAININGS}{others.pk}/").status_code == 404
    assert {r["id"] for r in manager_a_api.get(TRAININGS).json()["results"]} == {own.pk, others.pk}
    assert manager_a_api.get(TRAININGS, {"kind": "staff"}).json()["results"][0]["id"] == others.pk


def test_program_b_gets_404_on_program_a_trainings(outreach_b_api, manager_a):
    session = record_training_session(
        by=manager_a,
        kind="staff",
        held_on=manager_a.program.today(),
        place="Office",
        audience="providers",
        attendee_count=4,
    )

    assert outreach_b_api.get(f"{TRAININGS}{session.pk}/").status_code == 404
