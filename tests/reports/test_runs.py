"""Report runs: asked for by a manager, queued by the schedule, built by Celery, retried,
published with one "ready" email to each recipient, sent after commit."""

import io
import time
from datetime import date
from smtplib import SMTPException

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from audit.models import AuditEntry
from reports import measures, periods, services
from reports.models import ReportDefinition, ReportReadyEmail, ReportRun
from reports.tasks import (
    build_report_run,
    enqueue_program_report_runs,
    enqueue_scheduled_report_runs,
    send_report_ready_email,
)
from tests.mail import LaterStepFailed
from tests.participants.conftest import catalogue_a  # noqa: F401
from tests.reports.known_program import MARCH, known_program_data  # noqa: F401
from tests.reports.report_fixtures import (  # noqa: F401
    definitions_fixture,
    manager_b_fixture,
    monthly_fixture,
    other_funder_fixture,
    state_health_fixture,
)

pytestmark = pytest.mark.django_db
APRIL_10 = date(2025, 4, 10)


def run_for_march(client, manager, definition, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:run_request", args=[definition.pk]),
            {"start": "2025-03-01", "end": "2025-03-31"},
        )
    assert response.status_code == 302
    return ReportRun.objects.get(definition=definition)


# --- Periods -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "schedule", "expected"),
    [
        (date(2025, 4, 10), "monthly", (date(2025, 3, 1), date(2025, 3, 31))),
        (date(2025, 1, 3), "monthly", (date(2024, 12, 1), date(2024, 12, 31))),
        (date(2025, 5, 20), "quarterly", (date(2025, 1, 1), date(2025, 3, 31))),
        (date(2025, 1, 1), "quarterly", (date(2024, 10, 1), date(2024, 12, 31))),
        (date(2025, 7, 1), "yearly", (date(2024, 1, 1), date(2024, 12, 31))),
    ],
)
def test_previous_complete_period(today, schedule, expected):
    assert periods.previous_complete_period(today, schedule) == expected


def test_a_scheduled_period_falls_due_on_its_day_of_the_next_month():
    assert periods.due_period(date(2025, 4, 4), "monthly", 5) is None
    assert periods.due_period(date(2025, 4, 5), "monthly", 5) == MARCH
    assert periods.due_period(date(2025, 4, 14), "quarterly", 15) is None
    assert periods.due_period(date(2025, 4, 15), "quarterly", 15) == (
        date(2025, 1, 1),
        date(2025, 3, 31),
    )


# --- Ready-made definitions --------------------------------------------------------------------


def test_ready_made_definitions_are_added_once_and_name_only_existing_measures(
    client, program_a, manager_a
):
    client.force_login(manager_a)

    client.post(reverse("reports:ready_definitions_add"))
    client.post(reverse("reports:ready_definitions_add"))

    ready = ReportDefinition.objects.filter(program=program_a)
    assert sorted(ready.values_list("ready_key", flat=True)) == [
        "monthly_program",
        "quarterly_samhsa",
        "state_annual",
    ]
    schedules = dict(ready.values_list("ready_key", "schedule"))
    assert schedules == {
        "monthly_program": "monthly",
        "quarterly_samhsa": "quarterly",
        "state_annual": "yearly",
    }
    samhsa = ready.get(ready_key="quarterly_samhsa")
    assert {
        "reversals_reported",
        "naloxone_doses",
        "people_trained",
        "test_strips_distributed",
    } <= set(samhsa.measures)
    annual = ready.get(ready_key="state_annual")
    assert {"unduplicated_participants", "new_participants", "syringes_distributed"} <= set(
        annual.measures
    )
    assert {"age_band", "gender", "race_ethnicity", "referrals_by_kind_status"} <= set(
        annual.breakdowns
    )
    for definition in ready:
        assert set(definition.measures) <= set(measures.MEASURES)
        assert set(definition.breakdowns) <= set(measures.BREAKDOWNS)
    assert AuditEntry.objects.filter(action="reports.definition.created").count() == 3


def test_seed_demo_publishes_the_ready_made_reports_to_the_demo_funder():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    definitions = ReportDefinition.objects.filter(program__name="Demo Harm Reduction Program")
    assert definitions.count() == 3
    for definition in definitions:
        assert list(definition.published_to.values_list("members__username", flat=True)) == [
            "funder"
        ]


# --- Runs asked for by a manager ----------------------------------------------------------------


def publish(client, run, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:run_publish", args=[run.pk]), {"confirmed": "yes"})
    assert response.status_code == 302
    run.refresh_from_db()
    return run


def test_manager_runs_a_report_reviews_it_and_publishes_it_once(
    client, data, manager_a, funder, monthly, mailoutbox, django_capture_on_commit_callbacks
):
    run = run_for_march(client, manager_a, monthly, django_capture_on_commit_callbacks)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    assert run.requested_by == manager_a
    assert bytes(run.csv_file).decode("utf-8-sig").startswith("Report,Monthly program report")
    assert bytes(run.xlsx_file)[:2] == b"PK"
    assert bytes(run.pdf_file)[:5] == b"%PDF-"
    # Built, but not published: only the manager who asked hears of it, to review it.
    assert run.published_at is None
    assert [email.to[0] for email in mailoutbox] == [manager_a.email]
    assert "not published yet" in mailoutbox[0].body
    assert reverse("reports:run", args=[run.pk]) in mailoutbox[0].body
    page = client.get(reverse("reports:run", args=[run.pk]))
    assert "Ready" in page.text
    assert reverse("reports:run_download", args=[run.pk, "pdf"]) in page.text
    assert reverse("reports:run_publish", args=[run.pk]) in page.text

    run = publish(client, run, django_capture_on_commit_callbacks)
    publish(client, run, django_capture_on_commit_callbacks)  # a second click publishes nothing

    assert run.published_at is not None
    assert sorted(email.to[0] for email in mailoutbox) == [funder.email, manager_a.email]
    assert (
        reverse("reports:run_publish", args=[run.pk])
        not in client.get(reverse("reports:run", args=[run.pk])).text
    )
    assert AuditEntry.objects.filter(action="reports.run.requested", actor=manager_a).count() == 1
    assert AuditEntry.objects.filter(action="reports.run.published", actor=manager_a).count() == 1


def test_a_run_asked_for_is_not_the_funders_until_published(
    client, data, manager_a, funder, monthly, django_capture_on_commit_callbacks
):
    run = run_for_march(client, manager_a, monthly, django_capture_on_commit_callbacks)
    client.force_login(funder)

    assert client.get(reverse("reports:run", args=[run.pk])).status_code == 404
    assert client.get(reverse("reports:run_download", args=[run.pk, "csv"])).status_code == 404
    # Only the program's manager can publish it.
    assert client.post(reverse("reports:run_publish", args=[run.pk])).status_code in (302, 403)
    run.refresh_from_db()
    assert run.published_at is None


def test_the_same_period_asked_twice_while_queued_is_one_run(manager_a, monthly):
    first = services.request_run(by=manager_a, definition=monthly, start=MARCH[0], end=MARCH[1])
    ReportRun.objects.filter(pk=first.pk).update(status=ReportRun.Status.QUEUED)

    second = services.request_run(by=manager_a, definition=monthly, start=MARCH[0], end=MARCH[1])

    assert second.pk == first.pk
    assert ReportRun.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-03-31", "2025-03-01", "The period ends before it starts."),
        ("2025-03-01", "2099-01-01", "The period cannot end after today"),
        ("2020-01-01", "2025-01-01", "A report covers at most two years."),
        ("", "2025-03-01", "This field is required."),
        ("yesterday", "2025-03-01", "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_a_message(client, manager_a, monthly, start, end, message):
    client.force_login(manager_a)

    response = client.post(
        reverse("reports:run_request", args=[monthly.pk]), {"start": start, "end": end}
    )

    assert response.status_code == 400
    assert message in response.text
    assert not ReportRun.objects.exists()


def test_another_programs_manager_cannot_run_or_see_the_definition(client, manager_b, monthly):
    client.force_login(manager_b)

    assert client.get(reverse("reports:definition", args=[monthly.pk])).status_code == 404
    response = client.post(
        reverse("reports:run_request", args=[monthly.pk]),
        {"start": "2025-03-01", "end": "2025-03-31"},
    )
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


# --- Failure and retry -------------------------------------------------------------------------


def test_a_failed_run_shows_why_and_a_retry_publishes_once(
    client, data, manager_a, funder, monthly, mailoutbox, django_capture_on_commit_callbacks
):
    good_measures = list(monthly.measures)
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("reports:run_request", args=[monthly.pk]),
            {"start": "2025-03-01", "end": "2025-03-31"},
        )
    # A measure retired between the request (which checks the keys) and the build.
    ReportDefinition.objects.filter(pk=monthly.pk).update(
        measures=[*good_measures, "retired_measure"]
    )
    for callback in callbacks:
        callback()
    run = ReportRun.objects.get(definition=monthly)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.published_at is None
    assert mailoutbox == []
    page = client.get(reverse("reports:run", args=[run.pk]))
    assert "retired_measure" in page.text
    assert reverse("reports:run_retry", args=[run.pk]) in page.text

    ReportDefinition.objects.filter(pk=monthly.pk).update(measures=good_measures)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:run_retry", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.attempts == 2
    assert len(mailoutbox) == 1  # the manager who asked, to review it
    run = publish(client, run, django_capture_on_commit_callbacks)
    published_at = run.published_at
    assert len(mailoutbox) == 2  # the funder and the manager who asked, once each

    # The task delivered again (a worker lost after publishing), and a second retry asked for:
    assert build_report_run.delay(run.pk).get() == ReportRun.Status.SUCCEEDED
    response = client.post(reverse("reports:run_retry", args=[run.pk]), follow=True)
    assert "Only a failed report can be retried." in response.text
    run.refresh_from_db()
    assert run.published_at == published_at
    assert len(mailoutbox) == 2
    assert ReportRun.objects.count() == 1
    assert AuditEntry.objects.filter(action="reports.run.published").count() == 1


def test_a_mail_server_failing_for_one_recipient_leaves_the_others_sent_once(
    data, manager_a, funder, monthly, refusing_mail_server, mailoutbox, run_queued
):
    run = ReportRun.objects.create(
        definition=monthly, period_start=MARCH[0], period_end=MARCH[1], is_scheduled=True
    )
    refusing_mail_server.refuse(funder.email, times=100)

    errors = run_queued(build_report_run.s(run.pk).delay)

    assert len(errors) == 1
    assert isinstance(errors[0], SMTPException)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.published_at is not None  # publishing does not wait for the mail server
    assert [email.to for email in mailoutbox] == [[manager_a.email]]
    assert list(ReportReadyEmail.objects.values_list("recipient", flat=True)) == [manager_a.pk]

    # The mail server is back: the funder's task, retried later, sends the funder's email
    # alone; the build task delivered again sends nothing.
    refusing_mail_server.recover()
    assert run_queued(send_report_ready_email.s(run.pk, funder.pk).delay) == []
    assert run_queued(build_report_run.s(run.pk).delay) == []

    assert sorted(email.to[0] for email in mailoutbox) == sorted([funder.email, manager_a.email])
    assert AuditEntry.objects.filter(action="reports.run.published").count() == 1


def test_a_ready_email_retried_after_a_refusal_resends_to_its_own_recipient_only(
    data, manager_a, funder, monthly, refusing_mail_server, mailoutbox, run_queued
):
    run = ReportRun.objects.create(
        definition=monthly, period_start=MARCH[0], period_end=MARCH[1], is_scheduled=True
    )
    refusing_mail_server.refuse(manager_a.email, times=2)

    assert run_queued(build_report_run.s(run.pk).delay) == []  # its third attempt went through

    assert sorted(email.to[0] for email in mailoutbox) == sorted([funder.email, manager_a.email])
    assert ReportReadyEmail.objects.filter(run=run).count() == 2


def test_no_ready_email_goes_out_when_publishing_rolls_back(
    manager_a, funder, monthly, mailoutbox, django_capture_on_commit_callbacks
):
    run = ReportRun.objects.create(
        definition=monthly,
        period_start=MARCH[0],
        period_end=MARCH[1],
        requested_by=manager_a,
        status=ReportRun.Status.SUCCEEDED,
    )

    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(LaterStepFailed),
        transaction.atomic(),
    ):
        assert services.publish_run(run.pk) is True
        raise LaterStepFailed

    assert queued == []
    assert mailoutbox == []
    run.refresh_from_db()
    assert run.published_at is None
    assert not ReportReadyEmail.objects.exists()


# --- The schedule ------------------------------------------------------------------------------


def test_beat_queues_each_due_scheduled_run_once(
    manager_a, definitions, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.enqueue_due_runs(today=date(2025, 4, 15)) == 3
        assert services.enqueue_due_runs(today=date(2025, 4, 15)) == 0
        assert services.enqueue_due_runs(today=date(2025, 4, 20)) == 0

    runs = ReportRun.objects.order_by("definition__ready_key")
    assert [(r.definition.ready_key, r.period_start, r.period_end) for r in runs] == [
        ("monthly_program", date(2025, 3, 1), date(2025, 3, 31)),
        ("quarterly_samhsa", date(2025, 1, 1), date(2025, 3, 31)),
        ("state_annual", date(2024, 1, 1), date(2024, 12, 31)),
    ]
    assert all(run.is_scheduled and run.requested_by is None for run in runs)
    assert all(run.status == ReportRun.Status.SUCCEEDED for run in runs)
    # Each goes to its funders and to the program's managers; the quarterly report is
    # published to nobody, so only the manager hears of it.
    assert sorted(email.to[0] for email in mailoutbox) == sorted(
        ["funder@example.org"] * 2 + [manager_a.email] * 3
    )


def test_an_inactive_or_unscheduled_definition_is_not_queued(definitions):
    ReportDefinition.objects.update(is_active=False)

    assert services.enqueue_due_runs(today=date(2025, 4, 15)) == 0


def test_the_beat_queues_one_task_per_program(
    definitions, program_a, program_b, monkeypatch, run_queued
):
    queued = []
    monkeypatch.setattr(
        enqueue_program_report_runs, "apply_async", lambda args, **options: queued.extend(args)
    )

    assert run_queued(enqueue_scheduled_report_runs.delay) == []

    assert sorted(queued) == sorted([program_a.pk, program_b.pk])
    assert not ReportRun.objects.exists()  # each program's task queues its own runs


def test_a_programs_task_queues_only_that_programs_runs(definitions, program_a, program_b):
    other = ReportDefinition.objects.create(
        program=program_b,
        name="B monthly",
        measures=["encounters"],
        schedule=ReportDefinition.Schedule.MONTHLY,
        run_on_day=15,
    )

    assert services.enqueue_due_runs(program_id=program_b.pk, today=date(2025, 4, 15)) == 1

    assert list(ReportRun.objects.values_list("definition", flat=True)) == [other.pk]


def test_the_beat_schedule_runs_the_report_task():
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.tasks.enqueue_scheduled_report_runs" in entries


# --- A real worker -----------------------------------------------------------------------------


@pytest.mark.worker
def test_real_worker_builds_a_scheduled_run_into_three_files_and_emails_once(
    celery_worker_process, data, manager_a, funder, monthly
):
    ReportDefinition.objects.exclude(pk=monthly.pk).update(is_active=False)

    assert services.enqueue_due_runs(today=APRIL_10) == 1
    run = ReportRun.objects.get()
    deadline = time.monotonic() + 60
    while run.status in (ReportRun.Status.QUEUED, ReportRun.Status.RUNNING):
        assert time.monotonic() < deadline, "the worker did not build the run in 60 seconds"
        time.sleep(0.3)
        run.refresh_from_db()

    assert run.status == ReportRun.Status.SUCCEEDED, run.error
    assert run.is_scheduled
    assert (run.period_start, run.period_end) == MARCH
    csv_text = bytes(run.csv_file).decode("utf-8-sig")
    workbook = load_workbook(io.BytesIO(bytes(run.xlsx_file)))
    pdf_text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(run.pdf_file)).pages
    )
    for key in monthly.measures:
        label = str(measures.MEASURES[key].label)
        assert label in csv_text
        assert label in pdf_text, label
    summary_labels = [row[0] for row in workbook["Summary"].iter_rows(values_only=True)]
    assert "Participants served" in summary_labels
    assert len(workbook.sheetnames) == 1 + len(monthly.breakdowns)

    # Each recipient's email is a task of its own, sent after the run was published.
    deadline = time.monotonic() + 30
    while ReportReadyEmail.objects.filter(run=run).count() < 2:
        assert time.monotonic() < deadline, "the worker did not send two emails in 30 seconds"
        time.sleep(0.3)
    sent = sorted(path.read_text() for path in celery_worker_process.email_dir.iterdir())
    assert len(sent) == 2  # the State Health funder and the program's manager
    assert any(funder.email in message for message in sent)
    assert all("Monthly program report" in message for message in sent)

    # Delivered a second time, the task publishes nothing more.
    assert build_report_run.delay(run.pk).get(timeout=30) == ReportRun.Status.SUCCEEDED
    assert len(list(celery_worker_process.email_dir.iterdir())) == 2


# --- Definitions by hand ------------------------------------------------------------------------


def test_manager_makes_a_definition_and_publishes_it_to_a_funder(
    client, manager_a, program_a, state_health
):
    client.force_login(manager_a)
    assert client.get(reverse("reports:definition_new")).status_code == 200

    response = client.post(
        reverse("reports:definition_new"),
        {
            "name": "Naloxone for the county",
            "measures": ["naloxone_doses", "reversals_reported"],
            "breakdowns": ["naloxone_doses_by_recipient"],
            "published_to": [state_health.pk],
            "schedule": "quarterly",
            "run_on_day": "10",
            "is_active": "on",
        },
    )

    definition = ReportDefinition.objects.get(name="Naloxone for the county")
    assert response.status_code == 302
    assert definition.program == program_a
    assert definition.measures == ["naloxone_doses", "reversals_reported"]
    assert list(definition.published_to.all()) == [state_health]
    page = client.get(reverse("reports:definition", args=[definition.pk]))
    assert str(measures.MEASURES["naloxone_doses"].definition) in page.text
    assert AuditEntry.objects.filter(action="reports.definition.created", actor=manager_a).exists()

    client.post(
        reverse("reports:definition_edit", args=[definition.pk]),
        {
            "name": "Naloxone for the county",
            "measures": ["naloxone_doses"],
            "schedule": "none",
            "run_on_day": "10",
        },
    )
    definition.refresh_from_db()
    assert definition.measures == ["naloxone_doses"]
    assert definition.schedule == "none"
    assert not definition.is_active
    assert list(definition.published_to.all()) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Empty", "schedule": "monthly", "run_on_day": "5"}, "Choose at least one"),
        (
            {"name": "Late", "measures": ["encounters"], "schedule": "monthly", "run_on_day": "31"},
            "Ensure this value is less than or equal to 28.",
        ),
        (
            {"name": "Odd", "measures": ["no_such"], "schedule": "monthly", "run_on_day": "5"},
            "Select a valid choice.",
        ),
        (
            {
                "name": "Monthly program report",
                "measures": ["encounters"],
                "schedule": "monthly",
                "run_on_day": "5",
            },
            "The program has a report of that name already.",
        ),
    ],
)
def test_a_bad_definition_is_refused_with_a_message(client, manager_a, monthly, fields, message):
    client.force_login(manager_a)

    response = client.post(reverse("reports:definition_new"), fields)

    assert response.status_code == 200
    assert message in response.text
    assert ReportDefinition.objects.count() == 3


def test_manager_runs_any_report_from_the_list_and_a_failed_one_has_a_retry_button(
    client, manager_a, monthly, definitions, django_capture_on_commit_callbacks
):
    client.force_login(manager_a)
    page = client.get(reverse("reports:list"))
    assert reverse("reports:run_request_from_list") in page.text

    bad = client.post(
        reverse("reports:run_request_from_list"),
        {"definition": monthly.pk, "start": "2025-03-31", "end": "2025-03-01"},
    )
    assert bad.status_code == 400
    assert "The period ends before it starts." in bad.text
    with django_capture_on_commit_callbacks() as callbacks:
        good = client.post(
            reverse("reports:run_request_from_list"),
            {"definition": monthly.pk, "start": "2025-03-01", "end": "2025-03-31"},
        )
    # A measure retired between the request (which checks the keys) and the build.
    ReportDefinition.objects.filter(pk=monthly.pk).update(measures=["retired_measure"])
    for callback in callbacks:
        callback()
    run = ReportRun.objects.get()
    assert good.url == reverse("reports:run", args=[run.pk])
    listing = client.get(reverse("reports:list")).text
    assert reverse("reports:run_retry", args=[run.pk]) in listing


def test_a_run_of_a_definition_naming_an_unknown_measure_is_refused_with_the_keys(
    client, manager_a, monthly
):
    ReportDefinition.objects.filter(pk=monthly.pk).update(measures=["retired_measure"])
    client.force_login(manager_a)

    response = client.post(
        reverse("reports:run_request", args=[monthly.pk]),
        {"start": "2025-03-01", "end": "2025-03-31"},
    )

    assert response.status_code == 400
    assert "retired_measure" in response.text
    assert not ReportRun.objects.exists()
    page = client.get(reverse("reports:definition", args=[monthly.pk]))
    assert "retired_measure" in page.text


def test_the_list_form_offers_only_the_managers_own_reports(client, manager_b, monthly):
    client.force_login(manager_b)

    response = client.post(
        reverse("reports:run_request_from_list"),
        {"definition": monthly.pk, "start": "2025-03-01", "end": "2025-03-31"},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert not ReportRun.objects.exists()
