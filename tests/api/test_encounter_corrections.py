"""PATCH /api/v1/encounters/<id>/ and POST /api/v1/encounters/<id>/void/: the correction
service behind the API, its refusals as JSON with field messages."""

from datetime import timedelta

import pytest

from audit.models import AuditEntry
from encounters.models import Encounter
from supplies.models import StockLevel
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def url(encounter, action=""):
    return f"/api/v1/encounters/{encounter.pk}/{action}"


def syringes_on_hand(site, item):
    return sum(
        StockLevel.objects.filter(location=site, lot__item=item).values_list("on_hand", flat=True)
    )


def test_the_author_corrects_quantities_and_fields(outreach_a_api, encounter_a, stock_a, site_a):
    response = outreach_a_api.patch(
        url(encounter_a),
        {
            "reason": "Counted wrong",
            "supplies": [{"item": stock_a["syringes"].pk, "quantity": 25}],
            "syringes_collected": 7,
            "participant": None,
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["supplies"][0]["quantity"] == 25
    assert body["syringes_collected"] == 7
    assert body["participant"] is None
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 975
    assert AuditEntry.objects.filter(action="participants.encounter.corrected").count() == 1


def test_a_correction_needs_a_reason(outreach_a_api, encounter_a):
    response = outreach_a_api.patch(url(encounter_a), {"syringes_collected": 1}, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()


def test_bad_input_is_a_field_message(outreach_a_api, encounter_a):
    response = outreach_a_api.patch(
        url(encounter_a),
        {"reason": "x", "occurred_at": "2026-03-09T20:00:00", "location": 999999},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"occurred_at", "location"}


def test_a_shortfall_is_refused_and_saves_nothing(outreach_a_api, encounter_a, stock_a, site_a):
    response = outreach_a_api.patch(
        url(encounter_a),
        {"reason": "More", "supplies": [{"item": stock_a["naloxone"].pk, "quantity": 9}]},
        format="json",
    )  # 5 kits in stock

    assert response.status_code == 409
    assert "supplies" in response.json()
    assert list(encounter_a.supplies.values_list("quantity", flat=True)) == [10]
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 990


def test_the_author_cannot_correct_the_next_day(outreach_a, encounter_a, pinned_clock):
    pinned_clock.shift(timedelta(days=1))

    response = api_client(outreach_a).patch(
        url(encounter_a), {"reason": "late", "syringes_collected": 1}, format="json"
    )

    assert response.status_code == 400


def test_put_is_not_offered(outreach_a_api, encounter_a):
    assert outreach_a_api.put(url(encounter_a), {"reason": "x"}, format="json").status_code == 405


def test_another_program_gets_404(outreach_b_api, encounter_a):
    response = outreach_b_api.patch(url(encounter_a), {"reason": "x"}, format="json")
    assert response.status_code == 404
    assert outreach_b_api.post(url(encounter_a, "void/"), {"reason": "x"}).status_code == 404


def test_void_returns_stock_and_managers_still_list_it(
    outreach_a_api, manager_a_api, encounter_a, stock_a, site_a
):
    response = outreach_a_api.post(url(encounter_a, "void/"), {"reason": "Wrong person"})

    assert response.status_code == 200, response.json()
    assert response.json()["voided_at"] is not None
    assert syringes_on_hand(site_a, stock_a["syringes"]) == 1000
    assert outreach_a_api.get(url(encounter_a)).status_code == 404
    listed = manager_a_api.get("/api/v1/encounters/").json()["results"]
    assert [row["void_reason"] for row in listed] == ["Wrong person"]
    assert Encounter.objects.get(pk=encounter_a.pk).voided_by.username == "outreach_a"


def test_void_needs_a_reason(outreach_a_api, encounter_a):
    response = outreach_a_api.post(url(encounter_a, "void/"), {})
    assert response.status_code == 400
    assert "reason" in response.json()
