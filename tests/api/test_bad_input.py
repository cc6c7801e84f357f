"""Input that once gave a 500 or a half-stored batch: deep JSON, days outside 1900-2100, times
without an offset, huge bodies, and an unexpected failure inside one synced item."""

import json
import uuid

import pytest
from django.utils import timezone

from api import services as api_services
from encounters.models import Encounter
from tests.api.conftest import CODE_ANSWERS

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/sync/"
ENCOUNTERS = "/api/v1/encounters/"
LOOKUP = "/api/v1/participants/lookup/"


def nested(depth: int) -> str:
    return '{"items": ' + "[" * depth + "]" * depth + "}"


def item(location, **extra) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": location.pk,
        "kind": "fixed_site",
        "participant": None,
        **extra,
    }


@pytest.mark.parametrize("depth", [40, 1000, 5000])
@pytest.mark.parametrize("url", [ENCOUNTERS, SYNC, LOOKUP])
def test_deeply_nested_json_is_a_400_with_a_field_message(outreach_a_api, url, depth):
    response = outreach_a_api.post(url, nested(depth), content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    [messages] = body.values()
    assert "nested too deeply" in messages[0]


def test_json_as_deep_as_a_real_sync_item_is_accepted(outreach_a_api, site_a, stock_a):
    enrolling = item(
        site_a,
        new_participant={
            "answers": CODE_ANSWERS,
            "profile": {"populations": ["people_who_inject"]},
        },
    )

    response = outreach_a_api.post(SYNC, {"items": [enrolling]}, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59+14:00", "1899-12-31T12:00:00Z"]
)
def test_a_time_outside_1900_to_2100_is_a_400_on_create(outreach_a_api, site_a, moment):
    response = outreach_a_api.post(ENCOUNTERS, item(site_a, occurred_at=moment), format="json")

    assert response.status_code == 400
    assert "1900" in response.json()["occurred_at"][0]


def test_a_time_outside_the_range_rejects_only_its_item_in_a_sync(outreach_a_api, site_a):
    good, bad = item(site_a), item(site_a, occurred_at="0001-01-01T00:00:00Z")

    response = outreach_a_api.post(SYNC, {"items": [good, bad]}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected"]
    assert "occurred_at" in results[1]["errors"]
    assert Encounter.objects.filter(pk=good["id"]).exists()


def test_a_time_without_an_offset_is_refused_with_a_clear_message(outreach_a_api, site_a):
    naive = timezone.now().replace(tzinfo=None).isoformat()

    response = outreach_a_api.post(ENCOUNTERS, item(site_a, occurred_at=naive), format="json")

    assert response.status_code == 400
    assert "offset" in response.json()["occurred_at"][0]
    assert not Encounter.objects.exists()


@pytest.mark.parametrize("query", ["date_from=0001-01-01", "date_to=9999-12-31"])
def test_list_filters_refuse_days_outside_the_range(outreach_a_api, query):
    response = outreach_a_api.get(f"{ENCOUNTERS}?{query}")

    assert response.status_code == 400


def test_an_oversized_body_is_a_json_413(outreach_a_api, settings):
    body = json.dumps({"items": [], "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})

    response = outreach_a_api.post(SYNC, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_an_unexpected_error_in_one_item_keeps_it_for_retry_and_stores_the_others(
    outreach_a_api, site_a, stock_a, monkeypatch
):
    first, failing, last = item(site_a), item(site_a), item(site_a)
    real = api_services.record_encounter_from_api

    def failing_after_writing(*, by, data, **kwargs):
        recorded = real(by=by, data=data, **kwargs)
        if str(data["id"]) == failing["id"]:
            raise RuntimeError("a bug of ours, after the encounter was written")
        return recorded

    monkeypatch.setattr(api_services, "record_encounter_from_api", failing_after_writing)

    response = outreach_a_api.post(SYNC, {"items": [first, failing, last]}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert [r["retry"] for r in results] == [False, True, False]
    assert results[1]["id"] == failing["id"]
    assert set(Encounter.objects.values_list("pk", flat=True)) == {
        uuid.UUID(first["id"]),
        uuid.UUID(last["id"]),
    }


@pytest.mark.parametrize("year", [1, 9999])
def test_the_encounter_service_refuses_a_time_outside_the_range_itself(outreach_a, site_a, year):
    from datetime import UTC, datetime

    from encounters.services import EncounterError, record_encounter

    with pytest.raises(EncounterError) as refused:
        record_encounter(
            by=outreach_a,
            participant=None,
            location=site_a,
            kind="fixed_site",
            occurred_at=datetime(year, 1, 1 if year == 1 else 12, tzinfo=UTC),
        )

    assert refused.value.field == "occurred_at"
