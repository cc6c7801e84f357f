"""Who sees which report runs and files: managers their program's, funders only the runs
published to their organisation, nobody a participant page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from reports.models import ReportRun
from tests.factories import ParticipantFactory
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    manager_b_fixture,
    monthly_fixture,
    other_funder_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db
FORMATS = ["csv", "xlsx", "pdf"]


def built_run(definition, requested_by, *, published=True) -> ReportRun:
    """A run as the worker leaves it, with small files (the content is not under test)."""
    return ReportRun.objects.create(
        definition=definition,
        period_start="2025-03-01",
        period_end="2025-03-31",
        requested_by=requested_by,
        status=ReportRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        published_at=timezone.now() if published else None,
        csv_file=b"Report,csv",
        xlsx_file=b"PK xlsx",
        pdf_file=b"%PDF- pdf",
    )


@pytest.fixture(name="runs")
def runs_fixture(definitions, manager_a):
    return {
        "published": built_run(definitions["monthly_program"], manager_a),
        "not_published_to_them": built_run(definitions["quarterly_samhsa"], manager_a),
        "not_yet_published": built_run(definitions["state_annual"], manager_a, published=False),
        "failed": ReportRun.objects.create(
            definition=definitions["monthly_program"],
            period_start="2025-02-01",
            period_end="2025-02-28",
            requested_by=manager_a,
            status=ReportRun.Status.FAILED,
            error="boom",
        ),
    }


def test_funder_sees_only_the_runs_published_to_their_organisation(client, funder, runs):
    client.force_login(funder)

    response = client.get(reverse("reports:list"))

    assert response.status_code == 200
    listed = {run.pk for run in response.context["page"]}
    assert listed == {runs["published"].pk}
    assert "Monthly program report" in response.text
    assert "Quarterly SAMHSA-style report" not in response.text
    assert reverse("reports:definition_new") not in response.text
    for name, run in runs.items():
        expected = 200 if name == "published" else 404
        assert client.get(reverse("reports:run", args=[run.pk])).status_code == expected, name


def test_funder_downloads_a_published_run_and_the_download_is_audited(client, funder, runs):
    client.force_login(funder)
    run = runs["published"]

    for file_format in FORMATS:
        response = client.get(reverse("reports:run_download", args=[run.pk, file_format]))
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF- pdf"
    entries = AuditEntry.objects.filter(action="reports.run.downloaded", actor=funder)
    assert sorted(entry.details["format"] for entry in entries) == sorted(FORMATS)
    assert {entry.object_id for entry in entries} == {str(run.pk)}


@pytest.mark.parametrize("name", ["not_published_to_them", "not_yet_published", "failed"])
def test_funder_gets_not_found_for_any_other_run(client, funder, runs, name):
    client.force_login(funder)

    for file_format in FORMATS:
        url = reverse("reports:run_download", args=[runs[name].pk, file_format])
        assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


def test_a_funder_of_another_organisation_sees_nothing(client, other_funder, runs):
    client.force_login(other_funder)

    response = client.get(reverse("reports:list"))

    assert list(response.context["page"]) == []
    assert "No reports have been published to you yet" in response.text
    url = reverse("reports:run_download", args=[runs["published"].pk, "pdf"])
    assert client.get(url).status_code == 404


def test_manager_downloads_every_built_run_of_the_program(client, manager_a, runs):
    client.force_login(manager_a)

    for name in ("published", "not_published_to_them", "not_yet_published"):
        url = reverse("reports:run_download", args=[runs[name].pk, "xlsx"])
        assert client.get(url).status_code == 200, name
    url = reverse("reports:run_download", args=[runs["failed"].pk, "csv"])
    assert client.get(url).status_code == 404  # nothing was built
    listed = {run.pk for run in client.get(reverse("reports:list")).context["page"]}
    assert listed == {run.pk for run in runs.values()}


def test_another_programs_manager_gets_not_found(client, manager_b, runs):
    client.force_login(manager_b)

    assert list(client.get(reverse("reports:list")).context["page"]) == []
    for run in runs.values():
        assert client.get(reverse("reports:run", args=[run.pk])).status_code == 404
        url = reverse("reports:run_download", args=[run.pk, "pdf"])
        assert client.get(url).status_code == 404
        assert client.post(reverse("reports:run_retry", args=[run.pk])).status_code == 404


def test_an_unknown_file_format_is_not_found(client, manager_a, runs):
    client.force_login(manager_a)

    url = reverse("reports:run_download", args=[runs["published"].pk, "docx"])
    assert client.get(url).status_code == 404


def test_outreach_and_anonymous_cannot_reach_report_files(client, outreach_a, runs):
    url = reverse("reports:run_download", args=[runs["published"].pk, "pdf"])

    assert client.get(url).status_code == 302  # to sign in
    client.force_login(outreach_a)
    assert client.get(url).status_code == 403  # the role may not open reports at all
    assert client.get(reverse("reports:run", args=[runs["published"].pk])).status_code == 403


def test_funder_cannot_change_definitions_or_run_or_retry(client, funder, runs, monthly):
    client.force_login(funder)

    assert client.get(reverse("reports:definition", args=[monthly.pk])).status_code == 403
    assert client.get(reverse("reports:definition_new")).status_code == 403
    response = client.post(
        reverse("reports:run_request", args=[monthly.pk]),
        {"start": "2025-03-01", "end": "2025-03-31"},
    )
    assert response.status_code == 403
    assert client.post(reverse("reports:run_retry", args=[runs["failed"].pk])).status_code == 403
    assert client.post(reverse("reports:ready_definitions_add")).status_code == 403


def test_funder_never_reaches_a_participant_page_or_list(client, funder, program_a):
    participant = ParticipantFactory(program=program_a)
    client.force_login(funder)

    for url in (
        reverse("participants:list"),
        reverse("participants:detail", args=[participant.public_id]),
        reverse("encounters:search") + "?q=HR",
        reverse("encounters:list"),
        reverse("participants:duplicates"),
    ):
        assert client.get(url).status_code == 404, url


def test_run_list_takes_a_fixed_number_of_queries(
    client, funder, manager_a, definitions, django_assert_max_num_queries
):
    for _ in range(15):
        built_run(definitions["monthly_program"], manager_a)
    client.force_login(manager_a)

    # One more than the rows would need alone: the two-factor device of the session.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("reports:list"))
    assert len(response.context["page"]) == 15
