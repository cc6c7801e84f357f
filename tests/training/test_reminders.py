import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.db import transaction
from django.utils import timezone

from tests.mail import LaterStepFailed
from tests.training.conftest import TODAY, record_session
from training import reminders, services
from training.models import Certificate
from training.services import AttendeeRecord
from training.tasks import queue_certificate_reminders, send_certificate_reminders


@pytest.fixture
def lapsing_certificates(manager_a):
    """Four certificates: lapsing in 20 days with an email (the only one to remind), lapsing in
    20 days without an email, lapsing in 90 days, and lapsed yesterday."""
    session = record_session(
        manager_a,
        attendees=[
            AttendeeRecord(name="Lapsing Soon", email="soon@example.org"),
            AttendeeRecord(name="No Email"),
            AttendeeRecord(name="Lapsing Later", email="later@example.org"),
            AttendeeRecord(name="Already Lapsed", email="lapsed@example.org"),
        ],
    )
    services.issue_certificates(by=manager_a, session=session)
    # The program's today, not TODAY: the real worker's test keeps the real clock.
    today = manager_a.program.today()
    valid_until = {
        "Lapsing Soon": today + timedelta(days=20),
        "No Email": today + timedelta(days=20),
        "Lapsing Later": today + timedelta(days=90),
        "Already Lapsed": today - timedelta(days=1),
    }
    for name, day in valid_until.items():
        Certificate.objects.filter(attendee__name=name).update(valid_until=day)
    return Certificate.objects.get(attendee__name="Lapsing Soon")


@pytest.fixture
def three_lapsing(manager_a):
    """Three certificates lapsing within 30 days, each attendee with an email, by id."""
    addresses = ["first@example.org", "second@example.org", "third@example.org"]
    session = record_session(
        manager_a,
        attendees=[AttendeeRecord(name=f"Attendee {n}", email=a) for n, a in enumerate(addresses)],
    )
    services.issue_certificates(by=manager_a, session=session)
    Certificate.objects.update(valid_until=TODAY + timedelta(days=10))
    return addresses


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.mark.django_db
def test_reminder_goes_once_to_each_attendee_whose_certificate_lapses_within_30_days(
    lapsing_certificates, mailoutbox, run_queued
):
    assert run_queued(send_certificate_reminders.delay) == []
    assert run_queued(send_certificate_reminders.delay) == []

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["soon@example.org"]
    assert "Lapsing Soon" in email.body
    assert lapsing_certificates.code in email.body
    assert "Program A" in email.body
    lapsing_certificates.refresh_from_db()
    assert lapsing_certificates.reminder_sent_at is not None
    assert Certificate.objects.filter(reminder_sent_at__isnull=False).count() == 1


@pytest.mark.django_db
def test_a_certificate_already_marked_is_not_reminded_again(
    lapsing_certificates, program_a, mailoutbox
):
    Certificate.objects.filter(pk=lapsing_certificates.pk).update(reminder_sent_at=timezone.now())

    assert reminders.send_certificate_reminder(lapsing_certificates.pk) is False
    assert reminders.queue_certificate_reminders(program_id=program_a.pk) == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_beat_queues_one_task_per_program(
    lapsing_certificates, program_a, program_b, monkeypatch, run_queued, mailoutbox
):
    queued = []
    monkeypatch.setattr(
        queue_certificate_reminders, "apply_async", lambda args, **options: queued.extend(args)
    )

    assert run_queued(send_certificate_reminders.delay) == []

    assert sorted(queued) == sorted([program_a.pk, program_b.pk])
    assert mailoutbox == []  # the program tasks queue the emails, one per certificate


@pytest.mark.django_db
def test_a_mail_server_failing_for_one_attendee_reminds_the_others_once(
    three_lapsing, refusing_mail_server, mailoutbox, run_queued, program_a
):
    first, failing, third = three_lapsing
    refusing_mail_server.refuse(failing, times=100)

    errors = run_queued(send_certificate_reminders.delay)

    assert len(errors) == 1
    assert isinstance(errors[0], SMTPException)
    assert recipients(mailoutbox) == sorted([first, third])
    assert list(
        Certificate.objects.filter(reminder_sent_at__isnull=True).values_list(
            "attendee__email", flat=True
        )
    ) == [failing]

    # The mail server is back after the last retry. The beat's job ran for the program today,
    # so sending it again does nothing; the program's task, run again, sends what is unsent.
    refusing_mail_server.recover()
    assert run_queued(send_certificate_reminders.delay) == []
    assert recipients(mailoutbox) == sorted([first, third])
    assert run_queued(lambda: queue_certificate_reminders.delay(program_a.pk)) == []

    assert recipients(mailoutbox) == sorted(three_lapsing)


@pytest.mark.django_db
def test_a_task_retried_after_a_refusal_resends_to_its_own_attendee_only(
    three_lapsing, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse(three_lapsing[1], times=2)

    assert run_queued(send_certificate_reminders.delay) == []  # its third attempt went through

    assert recipients(mailoutbox) == sorted(three_lapsing)
    assert not Certificate.objects.filter(reminder_sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_no_reminder_goes_out_when_the_transaction_that_queued_it_rolls_back(
    lapsing_certificates, program_a, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(LaterStepFailed),
        transaction.atomic(),
    ):
        assert reminders.queue_certificate_reminders(program_id=program_a.pk) == 1
        raise LaterStepFailed

    assert queued == []
    assert mailoutbox == []
    assert not Certificate.objects.filter(reminder_sent_at__isnull=False).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("program_evening")
def test_a_certificate_lapsing_on_the_programs_today_is_still_reminded(
    lapsing_certificates, program_a, mailoutbox, run_queued
):
    # Under the program_evening clock it is still 9 March in New York, 10 March in UTC.
    Certificate.objects.filter(pk=lapsing_certificates.pk).update(valid_until=program_a.today())

    assert run_queued(send_certificate_reminders.delay) == []

    assert recipients(mailoutbox) == ["soon@example.org"]


@pytest.mark.worker
def test_real_worker_sends_the_certificate_reminders(celery_worker_process, lapsing_certificates):
    assert send_certificate_reminders.delay().get(timeout=30) == 1  # one program

    deadline = time.monotonic() + 30
    while lapsing_certificates.reminder_sent_at is None:
        assert time.monotonic() < deadline, "the worker did not send the reminder in 30 seconds"
        time.sleep(0.3)
        lapsing_certificates.refresh_from_db()
    sent = list(celery_worker_process.email_dir.iterdir())
    assert len(sent) == 1
    assert "soon@example.org" in sent[0].read_text()
