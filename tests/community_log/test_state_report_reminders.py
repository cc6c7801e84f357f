"""The state-report reminder goes out as every email does: through the outbox, one task per
manager, marked sent once the mail server took it, retried while the mail server is down."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.utils import timezone

from accounts.models import ServiceStatus, User
from community_log import services, tasks
from community_log.models import StateReportReminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MANAGERS = sorted(["manager_a@example.org", "manager_a2@example.org"])


@pytest.fixture
def late_complaint(outreach_a):
    return services.record_complaint(
        by=outreach_a,
        received_at=timezone.now() - timedelta(hours=80),
        source_kind="business",
        place="Corner of 5th and Main",
        what="Syringes near the shop door",
    )


@pytest.fixture
def two_managers(manager_a, program_a):
    UserFactory(username="manager_a2", role=User.Role.MANAGER, program=program_a)
    return MANAGERS


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_a_mail_server_failing_for_one_manager_sends_the_other_theirs_and_retries_once_back(
    late_complaint, two_managers, refusing_mail_server, mailoutbox, run_queued, program_a
):
    refusing_mail_server.refuse("manager_a2@example.org", times=100)

    errors = run_queued(tasks.send_state_report_reminders.delay)

    assert len(errors) == 1
    assert isinstance(errors[0], SMTPException)
    assert recipients(mailoutbox) == ["manager_a@example.org"]
    assert ServiceStatus.objects.get(part="mail").failing_since is not None

    # The mail server is back after the last retry. The beat's job ran for the program today,
    # so sending it again does nothing; the program's task, run again, sends what is unsent.
    refusing_mail_server.recover()
    assert run_queued(tasks.send_state_report_reminders.delay) == []
    assert recipients(mailoutbox) == ["manager_a@example.org"]
    assert run_queued(lambda: tasks.queue_state_report_reminders.delay(program_a.pk)) == []
    assert run_queued(lambda: tasks.queue_state_report_reminders.delay(program_a.pk)) == []

    assert recipients(mailoutbox) == MANAGERS
    assert StateReportReminder.objects.count() == 2
    assert ServiceStatus.objects.get(part="mail").failing_since is None


def test_a_reminder_refused_twice_is_sent_by_its_own_retry_once(
    late_complaint, two_managers, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse("manager_a@example.org", times=2)

    assert run_queued(tasks.send_state_report_reminders.delay) == []  # the third attempt went

    assert recipients(mailoutbox) == MANAGERS


def test_a_reminder_queued_before_the_complaint_was_marked_reported_sends_nothing(
    late_complaint, manager_a, program_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        tasks.queue_state_report_reminders(program_a.pk)
    services.mark_complaint_reported(by=manager_a, complaint=late_complaint)

    for callback in queued:
        callback()

    assert mailoutbox == []
    assert not StateReportReminder.objects.exists()
