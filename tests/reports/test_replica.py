"""With a read replica, dashboards, report runs and extracts read from it; writes, and the reads
of someone who has just saved something, stay on the primary (core/replica.py)."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.replica import ReplicaRouter, mark_written, read_alias, reading_from_replica
from encounters.models import Encounter
from reports.services import add_ready_definitions, build_run, request_run
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import MARCH, known_program_data  # noqa: F401

DASHBOARD = "/reports/dashboard/"

# A second alias, "replica", on the same test database, as DATABASE_REPLICA_URL adds one: known
# before the test databases are set up, so tests may name it. Nothing reads from it unless
# READ_REPLICA_ALIAS names it (the fixture below).
connections.settings.setdefault(
    "replica", {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
)


@pytest.fixture
def replica(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": connections.settings["replica"]}
    settings.READ_REPLICA_ALIAS = "replica"
    yield connections["replica"]
    connections["replica"].close()


def test_without_a_replica_everything_reads_from_the_primary(settings):
    settings.READ_REPLICA_ALIAS = None
    with reading_from_replica():
        assert read_alias() == "default"


def test_the_router_sends_only_marked_reads_to_the_replica(replica):
    router = ReplicaRouter()
    assert router.db_for_read(Encounter) == "default"
    with reading_from_replica():
        assert router.db_for_read(Encounter) == "replica"
        assert router.db_for_write(Encounter) == "default"
        with reading_from_replica(False):
            assert router.db_for_read(Encounter) == "default"
    assert router.allow_migrate("replica", "encounters") is False


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_dashboard_reads_from_the_replica_and_the_answers_are_right(
    replica, client, manager_a, data
):
    client.force_login(manager_a)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(DASHBOARD, {"day": "2025-03-15"})
    assert response.status_code == 200
    assert any("participants_dailyencountertotals" in q["sql"] for q in on_replica)
    cards = {card.key: card.value for card in response.context["cards"]}
    assert (cards["encounters"], cards["unduplicated_participants"]) == (8, 5)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_someone_who_just_saved_reads_the_dashboard_from_the_primary(
    replica, client, manager_a, data
):
    client.force_login(manager_a)
    session = client.session
    mark_written(session)
    session.save()
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(DASHBOARD, {"day": "2025-03-15"}).status_code == 200
    assert not on_replica.captured_queries


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_write_keeps_the_writers_next_reads_on_the_primary(replica, client, manager_a, site_a):
    client.force_login(manager_a)
    assert "reads_from_primary_until" not in client.session
    response = client.post(
        "/supplies/disposals/new/",
        {
            "location": site_a.pk,
            "disposed_on": site_a.program.today().isoformat(),
            "containers": 1,
            "weight_pounds": "1",
            "manifest_number": "R-1",
        },
    )
    assert response.status_code == 302
    assert "reads_from_primary_until" in client.session


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_report_run_and_the_extract_read_from_the_replica(replica, client, manager_a, data):
    client.force_login(manager_a)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get("/reports/extract.csv", {"year": 2025})
        body = b"".join(response.streaming_content)
    assert body.count(b"\n") == 13  # the header and twelve encounters
    assert any("participants_encounter" in q["sql"] for q in on_replica)
    definition = add_ready_definitions(program=data.program, by=manager_a)[0]
    with CaptureQueriesContext(replica) as on_replica:
        # Celery is eager here: the run is built when the request commits.
        run = request_run(by=manager_a, definition=definition, start=MARCH[0], end=MARCH[1])
        build_run(run.pk)
    run.refresh_from_db()
    assert run.status == run.Status.SUCCEEDED
    assert any("participants_dailyencountertotals" in q["sql"] for q in on_replica)
