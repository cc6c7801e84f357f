"""Rate limits: sign-in (django-axes) and participant look-ups (security.ratelimit).

The API's throttling is DRF's, configured with the API.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ANSWERS = {
    "code-mother_first_name": "Rosalind",
    "code-birth_month": "02",
    "code-birth_year": "1979",
    "code-birth_place": "Oaxaca",
    "code-gender": "M",
}


@pytest.fixture(autouse=True)
def small_limits(settings):
    """Low limits, counted in a cache of this test's own."""
    settings.RATE_LIMITS = {"participant-search": (5, 60), "participant-code-lookup": (3, 300)}
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"rate-limits-{id(settings)}",
        }
    }


def test_sign_in_is_locked_after_repeated_wrong_passwords(client, outreach_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "outreach_a", "password": "wrong-password"})

    response = client.post(reverse("login"), {"username": "outreach_a", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text


def test_code_lookups_beyond_the_limit_are_refused_with_a_message(client, outreach_a):
    client.force_login(outreach_a)
    url = reverse("encounters:find_by_code")

    statuses = [client.post(url, ANSWERS).status_code for _ in range(3)]
    refused = client.post(url, ANSWERS)

    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert "Too many participant look-ups" in refused.text
    assert "Wait 5 minutes" in refused.text
    assert 0 < int(refused["Retry-After"]) <= 300


def test_htmx_lookup_gets_the_message_as_a_fragment(client, outreach_a):
    client.force_login(outreach_a)
    url = reverse("encounters:search")

    for _ in range(5):
        assert client.get(url, {"q": "ab"}, HTTP_HX_REQUEST="true").status_code == 200
    refused = client.get(url, {"q": "ab"}, HTTP_HX_REQUEST="true")

    assert refused.status_code == 429
    assert "data-rate-limited" in refused.text
    assert "<html" not in refused.text
    assert "Wait 1 minute" in refused.text


def test_search_page_shares_the_search_limit(client, outreach_a):
    client.force_login(outreach_a)

    for _ in range(5):
        client.get(reverse("encounters:search"), {"q": "ab"})
    refused = client.get(reverse("participants:list"), {"q": "ab"})

    assert refused.status_code == 429
    assert "<html" in refused.text


def test_enrolling_counts_as_a_code_lookup_but_opening_the_form_does_not(client, outreach_a):
    client.force_login(outreach_a)
    url = reverse("participants:enroll")

    for _ in range(5):
        assert client.get(url).status_code == 200
    for _ in range(3):
        client.post(url, ANSWERS)

    assert client.post(url, ANSWERS).status_code == 429
    assert client.get(url).status_code == 200


def test_one_persons_limit_leaves_colleagues_alone(client, outreach_a, manager_a):
    client.force_login(outreach_a)
    url = reverse("encounters:find_by_code")
    for _ in range(4):
        client.post(url, ANSWERS)
    assert client.post(url, ANSWERS).status_code == 429

    client.force_login(manager_a)

    assert client.post(url, ANSWERS).status_code == 200
