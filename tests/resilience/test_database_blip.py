"""The database drops its connection mid-request: the API says 503 with Retry-After, so the
phone keeps the item in its queue and sends it again (sync is idempotent by UUID)."""

import uuid

import pytest
from django.db import OperationalError
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_a_dropped_database_connection_is_a_503_with_retry_after_and_nothing_stored(
    client, outreach_a, site_a, monkeypatch
):
    def connection_dropped(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("api.sync.sync_encounters", connection_dropped)
    client.force_login(outreach_a)

    item = {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": site_a.pk,
        "kind": "fixed_site",
        "participant": None,
        "supplies": [],
    }

    response = client.post("/api/v1/sync/", {"items": [item]}, content_type="application/json")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "try again" in response.json()["detail"]
