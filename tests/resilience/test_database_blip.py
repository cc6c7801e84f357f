"""The database drops its connection mid-request, before the view (loading the session) or
inside it (storing the encounter): the answer is a 503 with Retry-After, JSON on the API and a
readable page otherwise, never a 500; nothing is stored and the next request works."""

import uuid
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from encounters.models import Encounter

pytestmark = pytest.mark.django_db

SESSION_LOADED = '"django_session"'
ENCOUNTER_STORED = 'INSERT INTO "participants_encounter"'


@contextmanager
def connection_drops_at(sql_fragment: str):
    """The first query containing `sql_fragment` fails as a dropped connection does, before
    it reaches the database."""

    def drop(execute, sql, params, many, context):
        if sql_fragment in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop):
        yield


@pytest.fixture
def signed_in(outreach_a):
    # A real server answers whatever the 500 handler gives; the test client would re-raise.
    client = Client(raise_request_exception=False)
    client.force_login(outreach_a)
    return client


def api_item(site) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(),
        "location": site.pk,
        "kind": "fixed_site",
        "participant": None,
        "supplies": [],
    }


def post_encounter_page(client, site):
    return client.post(
        reverse("encounters:new"),
        {
            "encounter_id": str(uuid.uuid4()),
            "participant": "anonymous",
            "location": site.pk,
            "kind": Encounter.Kind.FIXED_SITE,
            "syringes_collected": 0,
            "secondary_distribution_for": 0,
            "overdose_reversals_reported": 0,
        },
    )


def post_encounter_api(client, site):
    return client.post("/api/v1/encounters/", api_item(site), content_type="application/json")


def post_sync(client, site):
    return client.post(
        "/api/v1/sync/", {"items": [api_item(site)]}, content_type="application/json"
    )


REQUESTS = {"page": post_encounter_page, "api": post_encounter_api, "sync": post_sync}


@pytest.mark.parametrize("where", [SESSION_LOADED, ENCOUNTER_STORED], ids=["session", "view"])
@pytest.mark.parametrize("request_name", list(REQUESTS))
def test_a_dropped_connection_is_a_503_with_retry_after_and_nothing_stored(
    signed_in, site_a, where, request_name
):
    send = REQUESTS[request_name]

    with connection_drops_at(where):
        response = send(signed_in, site_a)

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    if request_name == "page":
        assert response["Content-Type"].startswith("text/html")
        assert "Briefly unavailable" in response.text
        assert "try again in a moment" in response.text
    else:
        assert "try again" in response.json()["detail"]
    assert not Encounter.objects.exists()

    # The connection is back: the same request stores the encounter.
    assert send(signed_in, site_a).status_code in (200, 201, 302)
    assert Encounter.objects.count() == 1


def test_the_encounter_page_itself_is_a_503_when_the_session_cannot_be_loaded(signed_in):
    with connection_drops_at(SESSION_LOADED):
        response = signed_in.get(reverse("encounters:new"))

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "Briefly unavailable" in response.text


def test_other_errors_are_still_the_500_page(signed_in, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("encounters.views.assigned_locations", broken)

    response = signed_in.get(reverse("encounters:new"))

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_one_failed_statement_in_a_sync_keeps_only_that_item_for_retry(signed_in, site_a):
    first, second = api_item(site_a), api_item(site_a)
    timed_out = []

    def time_out_once(execute, sql, params, many, context):
        if ENCOUNTER_STORED in sql and not timed_out:
            timed_out.append(sql)
            execute("SET LOCAL statement_timeout = 1", None, False, context)
            return execute("SELECT pg_sleep(1)", None, False, context)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(time_out_once):
        response = signed_in.post(
            "/api/v1/sync/", {"items": [first, second]}, content_type="application/json"
        )

    assert response.status_code == 200
    answers = {answer["id"]: answer for answer in response.json()["results"]}
    assert answers[first["id"]]["status"] == "rejected"
    assert answers[first["id"]]["retry"] is True
    assert answers[second["id"]]["status"] == "created"
    assert list(Encounter.objects.values_list("pk", flat=True)) == [uuid.UUID(second["id"])]
