"""Report runs in the API: the same rules as the report pages. A manager reads every run of the
program; a funder only the runs published to their organisation; outreach staff are refused;
anyone else's run is a 404. Every file downloaded is in the audit log."""

import pytest
from django.urls import reverse
from django.utils import timezone

from api.services import create_token
from audit.models import AuditEntry
from reports.models import ReportRun
from tests.api.conftest import api_client
from tests.factories import TEST_PASSWORD
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    manager_b_fixture,
    monthly_fixture,
    other_funder_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/report-runs/"
FILES = {
    "csv": ("text/csv; charset=utf-8", b"Measure,Value\r\n"),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK xlsx",
    ),
    "pdf": ("application/pdf", b"%PDF- pdf"),
}


def detail(run) -> str:
    return f"{LIST}{run.pk}/"


def download(run, file_format: str) -> str:
    return f"{LIST}{run.pk}/download/{file_format}/"


def built_run(definition, requested_by, *, start="2025-03-01", end="2025-03-31", published=True):
    """A run as the worker leaves it, with small files (their content is not under test)."""
    return ReportRun.objects.create(
        definition=definition,
        period_start=start,
        period_end=end,
        requested_by=requested_by,
        status=ReportRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        published_at=timezone.now() if published else None,
        **{f"{name}_file": content for name, (_type, content) in FILES.items()},
    )


@pytest.fixture(name="runs")
def runs_fixture(definitions, manager_a):
    return {
        "published": built_run(definitions["monthly_program"], manager_a),
        "not_published_to_them": built_run(definitions["quarterly_samhsa"], manager_a),
        "not_yet_published": built_run(
            definitions["state_annual"], manager_a, start="2025-01-01", published=False
        ),
        "failed": ReportRun.objects.create(
            definition=definitions["monthly_program"],
            period_start="2025-02-01",
            period_end="2025-02-28",
            requested_by=manager_a,
            status=ReportRun.Status.FAILED,
            error="The database went away.",
        ),
    }


def test_a_manager_lists_every_run_of_the_program_newest_first(manager_a, runs):
    response = api_client(manager_a).get(LIST)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [
        run.pk for run in sorted(runs.values(), key=lambda run: run.pk, reverse=True)
    ]
    failed = next(row for row in rows if row["id"] == runs["failed"].pk)
    assert failed["status"] == "failed"
    assert failed["error"] == "The database went away."
    assert failed["downloads"] is None
    assert failed["requested_by"] == "manager_a"
    published = next(row for row in rows if row["id"] == runs["published"].pk)
    assert published["report"] == "Monthly program report"
    assert published["program"] == "Program A"
    assert (published["period_start"], published["period_end"]) == ("2025-03-01", "2025-03-31")
    assert published["downloads"]["pdf"] == "http://testserver" + download(runs["published"], "pdf")


def test_a_funder_sees_only_the_runs_published_to_their_organisation(funder, runs):
    client = api_client(funder)

    rows = client.get(LIST).json()["results"]

    assert [row["id"] for row in rows] == [runs["published"].pk]
    # The report, not who in the program asked for it.
    assert rows[0]["requested_by"] is None
    assert client.get(detail(runs["published"])).status_code == 200
    for name in ("not_published_to_them", "not_yet_published", "failed"):
        response = client.get(detail(runs[name]))
        assert response.status_code == 404, name
        assert response.json() == {"detail": "Not found."}
        assert client.get(download(runs[name], "csv")).status_code == 404, name


def test_a_funder_of_another_organisation_sees_nothing(other_funder, runs):
    client = api_client(other_funder)

    assert client.get(LIST).json()["results"] == []
    assert client.get(detail(runs["published"])).status_code == 404
    assert client.get(download(runs["published"], "pdf")).status_code == 404


def test_another_programs_manager_gets_not_found(manager_b, runs):
    client = api_client(manager_b)

    assert client.get(LIST).json()["results"] == []
    for name, run in runs.items():
        assert client.get(detail(run)).status_code == 404, name
        assert client.get(download(run, "xlsx")).status_code == 404, name
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


@pytest.mark.parametrize("file_format", list(FILES))
def test_a_funder_downloads_each_file_of_a_published_run_and_it_is_audited(
    funder, runs, file_format
):
    run = runs["published"]

    response = api_client(funder).get(download(run, file_format), REMOTE_ADDR="203.0.113.9")

    content_type, content = FILES[file_format]
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response.content == content
    assert response["Content-Disposition"] == (
        f'attachment; filename="monthly-program-report-2025-03-01-2025-03-31.{file_format}"'
    )
    entry = AuditEntry.objects.get(action="reports.run.downloaded")
    assert entry.actor == funder
    assert entry.program == run.definition.program
    assert (entry.object_type, entry.object_id) == ("reports.reportrun", str(run.pk))
    assert entry.details == {"format": file_format}
    assert entry.ip_address == "203.0.113.9"


def test_a_download_answers_whatever_the_client_accepts(manager_a, runs):
    client = api_client(manager_a)
    run = runs["not_yet_published"]

    pdf = client.get(download(run, "pdf"), HTTP_ACCEPT="application/pdf")
    missing = client.get(download(runs["failed"], "pdf"), HTTP_ACCEPT="application/pdf")

    assert pdf.status_code == 200
    assert pdf.content == FILES["pdf"][1]
    # Nothing was built: a JSON 404, not a 406 about the Accept header.
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such report file."}


def test_an_unknown_file_format_is_a_json_404(manager_a, runs):
    response = api_client(manager_a).get(download(runs["published"], "docx"))

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_outreach_staff_and_administrators_are_refused(outreach_a, admin_user, runs):
    for user in (outreach_a, admin_user):
        client = api_client(user)
        for url in (LIST, detail(runs["published"]), download(runs["published"], "csv")):
            response = client.get(url)
            assert response.status_code == 403, (user, url)
            assert response.json()["detail"] == "Only managers and funders may read reports."


def test_anonymous_callers_get_a_json_401(anonymous_api, runs):
    for url in (LIST, detail(runs["published"]), download(runs["published"], "csv")):
        response = anonymous_api.get(url)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"


def test_a_managers_token_reads_and_downloads_the_programs_runs(manager_a, runs):
    _token, plain = create_token(by=manager_a, user=manager_a, name="reports")
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")

    assert len(client.get(LIST).json()["results"]) == len(runs)
    assert client.get(download(runs["published"], "csv")).content == FILES["csv"][1]
    assert AuditEntry.objects.filter(action="reports.run.downloaded", actor=manager_a).exists()


def test_a_funder_past_the_password_but_not_the_code_is_refused(funder, runs):
    client = api_client()
    signed_in = client.post(
        reverse("login"),
        {"username": funder.username, "password": TEST_PASSWORD},
        format="multipart",
    )
    assert signed_in.status_code == 302  # on to the two-factor step

    for url in (LIST, download(runs["published"], "pdf")):
        response = client.get(url)
        assert response.status_code == 403
        assert response.json()["detail"] == "Two-factor sign-in is required."
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


def test_the_list_takes_a_fixed_number_of_queries(
    manager_a, definitions, django_assert_max_num_queries
):
    for _ in range(20):
        built_run(definitions["monthly_program"], manager_a)
    client = api_client(manager_a)

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    assert len(response.json()["results"]) == 20
