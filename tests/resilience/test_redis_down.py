"""Redis stops mid-day: the front desk keeps working (sign in, find people, log encounters,
sync phones), code guessing stays limited, and /healthz names Redis."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter
from security.ratelimit import CacheOutages
from tests.factories import TEST_PASSWORD, ParticipantFactory
from tests.participants.conftest import catalogue_a  # noqa: F401

pytestmark = pytest.mark.django_db

ANSWERS = {
    "code-mother_first_name": "Rosalind",
    "code-birth_month": "02",
    "code-birth_year": "1979",
    "code-birth_place": "Oaxaca",
    "code-gender": "M",
}


def offline_item(location) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": location.pk,
        "kind": "fixed_site",
        "participant": None,
        "supplies": [],
    }


@pytest.fixture
def redis_stopped_mid_test(own_redis, cache_on, client, outreach_a):
    """The cache on the test's own Redis, used once while up, then Redis stopped."""
    cache_on(own_redis.url)
    client.force_login(outreach_a)
    assert client.get(reverse("participants:list"), {"q": "Sun"}).status_code == 200
    client.logout()
    own_redis.stop()
    return own_redis


def test_the_front_desk_keeps_working_while_redis_is_down(
    redis_stopped_mid_test,
    client,
    outreach_a,
    site_a,
    program_a,
    catalogue_a,  # noqa: F811
):
    participant = ParticipantFactory(program=program_a, alias="Sunny")
    failures_before = CacheOutages.count

    signed_in = client.post(reverse("login"), {"username": "outreach_a", "password": TEST_PASSWORD})
    search_page = client.get(reverse("participants:list"), {"q": "Sunny"})
    search_partial = client.get(reverse("encounters:search"), {"q": "Sunny"})
    saved = client.post(
        reverse("encounters:new"),
        {
            "encounter_id": str(uuid.uuid4()),
            "participant": participant.public_id,
            "location": site_a.pk,
            "kind": Encounter.Kind.FIXED_SITE,
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 0,
        },
    )
    through_api = client.post(
        "/api/v1/encounters/",
        {
            "id": str(uuid.uuid4()),
            "location": site_a.pk,
            "kind": "fixed_site",
            "participant": None,
            "supplies": [],
        },
        content_type="application/json",
    )
    batch = [offline_item(site_a) for _ in range(50)]
    synced = client.post("/api/v1/sync/", {"items": batch}, content_type="application/json")

    assert signed_in.status_code == 302
    assert search_page.status_code == 200
    assert "Sunny" in search_partial.text
    assert saved.status_code == 302
    assert through_api.status_code == 201, through_api.content
    assert synced.status_code == 200
    assert synced.json()["counts"] == {"created": 50, "exists": 0, "rejected": 0}
    assert Encounter.objects.count() == 52
    assert CacheOutages.count > failures_before


def test_code_guessing_stays_limited_while_redis_is_down(
    redis_stopped_mid_test, client, outreach_a, settings
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "participant-code-lookup": (3, 300)}
    client.force_login(outreach_a)
    url = reverse("encounters:find_by_code")

    statuses = [client.post(url, ANSWERS).status_code for _ in range(3)]
    refused = client.post(url, ANSWERS)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429


def test_api_code_lookups_stay_limited_while_redis_is_down(
    redis_stopped_mid_test, client, outreach_a, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "lookup", "2/minute")
    client.force_login(outreach_a)
    answers = {key.removeprefix("code-"): value for key, value in ANSWERS.items()}

    def lookup():
        return client.post(
            "/api/v1/participants/lookup/", {"answers": answers}, content_type="application/json"
        ).status_code

    assert [lookup(), lookup()] != [429, 429]
    assert lookup() == 429


def test_healthz_names_redis_when_it_is_down(redis_stopped_mid_test, client):
    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert body["checks"]["redis"] == "down"
    assert body["checks"]["database"] == "up"
    assert "redis" in body["degraded"]
