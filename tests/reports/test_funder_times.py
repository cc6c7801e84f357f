"""A funder has no program of their own, yet reads a run's times in the zone of the program
whose report it is, with the zone named, exactly as the program's manager reads them."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reports.models import ReportRun
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db

# 17:05 UTC on 2 December is 12:05 p.m. in New York (EST).
PUBLISHED = datetime(2025, 12, 2, 17, 5, tzinfo=UTC)


@pytest.fixture(name="run")
def published_run_fixture(definitions, manager_a):
    return ReportRun.objects.create(
        definition=definitions["monthly_program"],
        period_start="2025-11-01",
        period_end="2025-11-30",
        requested_by=manager_a,
        status=ReportRun.Status.SUCCEEDED,
        finished_at=PUBLISHED,
        published_at=PUBLISHED,
        csv_file=b"Report,csv",
        xlsx_file=b"PK xlsx",
        pdf_file=b"%PDF- pdf",
    )


@pytest.mark.parametrize("reader", ["funder", "manager_a"])
def test_run_page_shows_the_programs_time_with_its_zone(client, request, run, reader):
    client.force_login(request.getfixturevalue(reader))

    response = client.get(reverse("reports:run", args=[run.pk]))

    assert response.status_code == 200
    assert "12:05 p.m. EST" in response.text
    assert "5:05 p.m." not in response.text


def test_api_answers_a_funder_with_the_programs_offset(client, funder, run):
    client.force_login(funder)

    response = client.get(f"/api/v1/report-runs/{run.pk}/")

    assert response.status_code == 200
    assert response.json()["published_at"] == "2025-12-02T12:05:00-05:00"
