"""Rates: a user's sync and lookups are limited, and the refusal says when to come back."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_rates(monkeypatch):
    # The rates are read once at import; the test narrows the live table.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "sync", "2/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "lookup", "1/minute")


def test_too_many_syncs_get_a_429_with_retry_after(outreach_a_api, tight_rates):
    statuses = [
        outreach_a_api.post("/api/v1/sync/", {"items": [{}]}, format="json").status_code
        for _ in range(3)
    ]
    refused = outreach_a_api.post("/api/v1/sync/", {"items": [{}]}, format="json")

    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "throttled" in refused.json()["detail"]


def test_code_lookups_are_limited_apart_from_other_calls(outreach_a_api, tight_rates, code_answers):
    first = outreach_a_api.post(
        "/api/v1/participants/lookup/", {"answers": code_answers}, format="json"
    )
    second = outreach_a_api.post(
        "/api/v1/participants/lookup/", {"answers": code_answers}, format="json"
    )

    assert first.status_code == 404
    assert second.status_code == 429
    assert outreach_a_api.get("/api/v1/items/").status_code == 200


def test_another_users_quota_is_their_own(outreach_a_api, manager_a_api, tight_rates):
    for _ in range(2):
        outreach_a_api.post("/api/v1/sync/", {"items": [{}]}, format="json")

    assert manager_a_api.post("/api/v1/sync/", {"items": [{}]}, format="json").status_code == 200
