"""One code-guess budget per person across every path that tells whether a code exists: the
encounter screen's code search, the enrolment page, the lookup and enrolment endpoints, an
encounter sent with a new participant, and each such item of a sync. Counted in the database:
it holds with the cache down. A real day fits; the managers see who was refused."""

import contextlib
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter
from participants.models import Participant
from security import code_guesses
from security.models import CodeGuessWindow
from security.ratelimit import CacheOutages, fallback_counts
from supplies.alerts import send_stock_alert_digest
from tests.api.conftest import CODE_ANSWERS

pytestmark = pytest.mark.django_db

SYNC = "/api/v1/sync/"
LOOKUP = "/api/v1/participants/lookup/"
ENROL = "/api/v1/participants/"


def answers(number: int) -> dict:
    """Code answers of a different person for each number below 600."""
    return CODE_ANSWERS | {
        "birth_year": str(1940 + number // 12),
        "birth_month": f"{number % 12 + 1:02d}",
    }


def page_answers(number: int) -> dict:
    return {f"code-{key}": value for key, value in answers(number).items()}


def queued(location, number: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": location.pk,
        "kind": "fixed_site",
        "new_participant": {"answers": answers(number)},
    }


@pytest.fixture
def budget_of_five(settings):
    settings.CODE_GUESS_BUDGET = 5


def test_every_path_spends_the_same_budget(
    budget_of_five, client, outreach_a, outreach_a_api, site_a, stock_a
):
    client.force_login(outreach_a)
    assert client.post(reverse("encounters:find_by_code"), page_answers(1)).status_code == 200
    assert client.post(reverse("participants:enroll"), page_answers(2)).status_code == 302
    assert outreach_a_api.post(LOOKUP, {"answers": answers(2)}, format="json").status_code == 200
    assert outreach_a_api.post(ENROL, {"answers": answers(3)}, format="json").status_code == 201
    created = outreach_a_api.post(
        "/api/v1/encounters/",
        {"location": site_a.pk, "kind": "fixed_site", "new_participant": {"answers": answers(4)}},
        format="json",
    )
    assert created.status_code == 201
    assert code_guesses.guesses_left(outreach_a) == 0

    # Spent: each path refuses, with a message, and tells nothing about the code.
    lookup = outreach_a_api.post(LOOKUP, {"answers": answers(2)}, format="json")
    assert lookup.status_code == 429
    assert "most allowed" in lookup.json()["detail"]
    assert outreach_a_api.post(ENROL, {"answers": answers(9)}, format="json").status_code == 429
    page = client.post(reverse("participants:enroll"), page_answers(9))
    assert page.status_code == 200
    assert "most allowed" in page.content.decode()
    search = client.post(reverse("encounters:find_by_code"), page_answers(2))
    assert "most allowed" in search.content.decode()
    assert "HR-" not in search.content.decode()
    assert not Participant.objects.filter(enrolled_by=outreach_a).count() > 3


def test_a_refused_sync_item_is_answered_on_its_own_and_kept_for_retry(
    budget_of_five, outreach_a, outreach_a_api, site_a, stock_a
):
    items = [queued(site_a, number) for number in range(7)]
    anonymous = queued(site_a, 99)
    del anonymous["new_participant"]
    anonymous["participant"] = None

    results = outreach_a_api.post(SYNC, {"items": [*items, anonymous]}, format="json").json()[
        "results"
    ]

    assert [result["status"] for result in results] == ["created"] * 5 + ["rejected"] * 2 + [
        "created"
    ]
    for refused in results[5:7]:
        assert refused["retry"] is True
        assert "new_participant" in refused["errors"]
    assert Encounter.objects.count() == 6
    assert CodeGuessWindow.objects.get(user=outreach_a).refused == 2


def test_a_real_day_synced_at_once_goes_through(outreach_a, outreach_a_api, site_a, stock_a):
    """150 enrolments after a day without signal, then 150 look-ups of the same people."""
    items = [queued(site_a, number) for number in range(150)]

    results = outreach_a_api.post(SYNC, {"items": items}, format="json").json()["results"]

    assert {result["status"] for result in results} == {"created"}
    for number in range(0, 150, 15):  # the lookup throttle is per minute; the budget is not
        assert (
            outreach_a_api.post(LOOKUP, {"answers": answers(number)}, format="json").status_code
            == 200
        )
    assert code_guesses.guesses_left(outreach_a) == 400 - 160


def test_the_budget_is_per_person_and_comes_back_after_the_window(
    budget_of_five, outreach_a, manager_a, pinned_clock
):
    for _guess in range(5):
        code_guesses.spend_code_guess(user=outreach_a)
    with pytest.raises(code_guesses.CodeGuessBudgetSpent):
        code_guesses.spend_code_guess(user=outreach_a)
    code_guesses.spend_code_guess(user=manager_a)  # another person's budget

    pinned_clock.shift(24 * 3600)
    code_guesses.spend_code_guess(user=outreach_a)


@pytest.fixture
def cache_down(settings):
    """The cache at a port nothing listens on; afterwards the outage is forgotten, so the
    next test asks its (working) cache again."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    yield
    CacheOutages.last_at = None
    fallback_counts.clear()


def test_the_budget_holds_with_the_cache_down(budget_of_five, cache_down, outreach_a_api, site_a):
    statuses = [
        outreach_a_api.post(LOOKUP, {"answers": answers(number)}, format="json").status_code
        for number in range(7)
    ]

    assert statuses == [404] * 5 + [429] * 2


def test_managers_see_who_was_refused_on_their_home_page_and_in_the_digest(
    budget_of_five, client, outreach_a, outreach_b, manager_a, mailoutbox
):
    for user in (outreach_a, outreach_b):
        for _guess in range(6):
            with contextlib.suppress(code_guesses.CodeGuessBudgetSpent):
                code_guesses.spend_code_guess(user=user)

    client.force_login(manager_a)
    home = client.get(reverse("home")).content.decode()
    assert "data-code-guesses-refused" in home
    assert "outreach_a" in home
    assert "outreach_b" not in home  # another program's

    manager_a.email = "manager@example.org"
    manager_a.save(update_fields=["email"])
    assert send_stock_alert_digest(
        program_id=manager_a.program_id, manager_id=manager_a.pk, day=manager_a.program.today()
    )
    (message,) = mail.outbox
    assert "outreach_a" in message.body
    assert "outreach_b" not in message.body


def test_nobody_refused_shows_nothing(client, manager_a):
    client.force_login(manager_a)
    assert "data-code-guesses-refused" not in client.get(reverse("home")).content.decode()
