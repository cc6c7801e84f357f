"""Encounters through the API: recorded once per id with stock taken once, errors as JSON by
field, lists filtered and paged by cursor, and never another program's."""

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from encounters.models import Encounter
from referrals.models import Referral
from supplies.models import StockLevel, StockMovement
from tests.api.conftest import api_client
from tests.factories import EncounterFactory, LocationFactory

pytestmark = pytest.mark.django_db

ENCOUNTERS = "/api/v1/encounters/"


def new_encounter(location, participant=None, supplies=(), **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "location": location.pk,
        "kind": "fixed_site",
        "participant": participant.public_id if participant else None,
        "supplies": [{"item": item.pk, "quantity": quantity} for item, quantity in supplies],
        **extra,
    }


def syringes_on_hand(location, item) -> int:
    return StockLevel.objects.get(location=location, lot__item=item).on_hand


def test_an_encounter_is_recorded_with_supplies_and_referrals(
    outreach_a_api, site_a, stock_a, participant_a
):
    body = new_encounter(
        site_a,
        participant_a,
        supplies=[(stock_a["syringes"], 20), (stock_a["naloxone"], 1)],
        referral_kinds=["housing"],
        hiv_test=True,
        syringes_collected=15,
    )

    response = outreach_a_api.post(ENCOUNTERS, body, format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["id"] == body["id"]
    assert data["participant"] == participant_a.public_id
    assert data["hiv_test"] is True
    assert data["referral_kinds"] == ["housing"]
    assert {line["item_name"]: line["quantity"] for line in data["supplies"]} == {
        "Syringe 1 mL": 20,
        "Naloxone nasal": 1,
    }
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 980
    assert Referral.objects.get().encounter_id == uuid.UUID(body["id"])


def test_the_same_id_twice_returns_the_stored_encounter_with_200(
    outreach_a_api, site_a, stock_a, participant_a
):
    body = new_encounter(site_a, participant_a, supplies=[(stock_a["syringes"], 10)])

    first = outreach_a_api.post(ENCOUNTERS, body, format="json")
    second = outreach_a_api.post(ENCOUNTERS, body | {"syringes_collected": 99}, format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Encounter.objects.count() == 1
    assert StockMovement.objects.filter(kind="distributed").count() == 1
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 990


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_store_one_encounter(outreach_a, site_a, stock_a, participant_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with real concurrent transactions")
    body = new_encounter(site_a, participant_a, supplies=[(stock_a["syringes"], 10)])
    barrier = threading.Barrier(4)
    statuses = []

    def send():
        client = api_client(outreach_a)
        barrier.wait()
        statuses.append(client.post(ENCOUNTERS, body, format="json").status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [200, 200, 200, 201]
    assert Encounter.objects.count() == 1
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 990


def test_running_out_of_stock_is_a_409_naming_the_supplies(
    outreach_a_api, site_a, stock_a, participant_a
):
    body = new_encounter(site_a, participant_a, supplies=[(stock_a["naloxone"], 6)])

    response = outreach_a_api.post(ENCOUNTERS, body, format="json")

    assert response.status_code == 409
    assert response.json() == {"supplies": ["Only 5 of Naloxone nasal left at A Drop-in."]}
    assert not Encounter.objects.exists()


def test_validation_errors_are_json_by_field(outreach_a_api, site_a, stock_a):
    response = outreach_a_api.post(
        ENCOUNTERS,
        {
            "id": "nope",
            "location": site_a.pk,
            "kind": "teleport",
            "participant": None,
            "supplies": [{"item": stock_a["syringes"].pk, "quantity": -1}],
            "syringes_collected": -3,
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"id", "kind", "supplies.0.quantity", "syringes_collected"}
    assert response.json()["kind"] == ['"teleport" is not a valid choice.']


def test_service_rules_come_back_as_field_errors(outreach_a_api, site_a, participant_a):
    tomorrow = (timezone.now() + timedelta(days=3)).isoformat()
    future = outreach_a_api.post(
        ENCOUNTERS, new_encounter(site_a, participant_a, occurred_at=tomorrow), format="json"
    )
    referral_without_participant = outreach_a_api.post(
        ENCOUNTERS, new_encounter(site_a, referral_kinds=["food"]), format="json"
    )
    note = outreach_a_api.post(ENCOUNTERS, new_encounter(site_a, note="hello"), format="json")

    assert future.status_code == 400
    assert future.json() == {"occurred_at": ["The time is in the future. Check the date."]}
    assert list(referral_without_participant.json()) == ["referral_kinds"]
    assert note.json() == {"note": ["Notes are turned off for this program."]}


def test_an_outreach_worker_records_only_at_their_own_locations(
    outreach_a_api, manager_a_api, van_a
):
    refused = outreach_a_api.post(ENCOUNTERS, new_encounter(van_a), format="json")
    allowed = manager_a_api.post(ENCOUNTERS, new_encounter(van_a), format="json")

    assert refused.status_code == 400
    assert refused.json() == {"location": ["No such location among those you work at."]}
    assert allowed.status_code == 201


def test_past_days_need_the_back_entry_permission(outreach_a_api, site_a):
    last_week = (timezone.now() - timedelta(days=3)).isoformat()

    response = outreach_a_api.post(
        ENCOUNTERS, new_encounter(site_a, occurred_at=last_week), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["occurred_at"]


def test_program_b_gets_404_on_program_a_encounters(outreach_b_api, encounter_a):
    response = outreach_b_api.get(f"{ENCOUNTERS}{encounter_a.pk}/")

    assert response.status_code == 404
    assert outreach_b_api.get(ENCOUNTERS).json()["results"] == []


def test_program_b_cannot_reuse_program_a_ids(outreach_b_api, site_b, encounter_a):
    response = outreach_b_api.post(
        ENCOUNTERS, new_encounter(site_b) | {"id": str(encounter_a.pk)}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"id": ["This encounter id is already used."]}


def test_an_encounter_is_read_by_id(outreach_a_api, encounter_a):
    response = outreach_a_api.get(f"{ENCOUNTERS}{encounter_a.pk}/")

    assert response.status_code == 200
    assert response.json()["supplies"][0]["quantity"] == 10


def test_the_list_filters_by_date_location_kind_and_participant(
    manager_a_api, program_a, site_a, van_a, participant_a
):
    now = timezone.now()
    today = EncounterFactory(program=program_a, location=site_a, participant=participant_a)
    old = EncounterFactory(program=program_a, location=site_a, occurred_at=now - timedelta(30))
    in_van = EncounterFactory(
        program=program_a, location=van_a, kind="mobile_unit", occurred_at=now - timedelta(2)
    )

    def ids(**params):
        response = manager_a_api.get(ENCOUNTERS, params)
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    week_ago = (now - timedelta(days=7)).date().isoformat()
    assert ids() == {str(today.pk), str(old.pk), str(in_van.pk)}
    assert ids(date_from=week_ago) == {str(today.pk), str(in_van.pk)}
    assert ids(date_to=week_ago) == {str(old.pk)}
    assert ids(location=van_a.pk) == {str(in_van.pk)}
    assert ids(kind="mobile_unit") == {str(in_van.pk)}
    assert ids(participant=participant_a.public_id) == {str(today.pk)}


def test_bad_filters_are_a_400_by_field(manager_a_api, site_b):
    response = manager_a_api.get(
        ENCOUNTERS, {"location": site_b.pk, "date_from": "2026-02-30", "kind": "x"}
    )

    assert response.status_code == 400
    assert set(response.json()) == {"location", "date_from", "kind"}


def test_an_end_before_the_start_is_refused(manager_a_api):
    response = manager_a_api.get(ENCOUNTERS, {"date_from": "2026-05-02", "date_to": "2026-05-01"})

    assert response.json() == {"date_to": ["The end date is before the start date."]}


def test_the_list_pages_by_cursor_newest_first(manager_a_api, program_a, site_a):
    now = timezone.now()
    made = [
        EncounterFactory(program=program_a, location=site_a, occurred_at=now - timedelta(hours=n))
        for n in range(5)
    ]

    first = manager_a_api.get(ENCOUNTERS, {"page_size": 2}).json()
    second = manager_a_api.get(first["next"]).json()
    third = manager_a_api.get(second["next"]).json()

    seen = [row["id"] for page in (first, second, third) for row in page["results"]]
    assert seen == [str(encounter.pk) for encounter in made]
    assert third["next"] is None


def test_the_list_costs_the_same_queries_for_many_rows(
    manager_a_api, program_a, site_a, django_assert_max_num_queries
):
    for _ in range(30):
        EncounterFactory(program=program_a, location=site_a)

    # Session, user, two-factor device, program, then the page: none grows with the rows.
    with django_assert_max_num_queries(10):
        response = manager_a_api.get(ENCOUNTERS)

    assert len(response.json()["results"]) == 30


def test_another_programs_location_cannot_be_named(outreach_a_api, program_b):
    elsewhere = LocationFactory(program=program_b)

    response = outreach_a_api.post(ENCOUNTERS, new_encounter(elsewhere), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["location"]
