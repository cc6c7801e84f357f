from datetime import timedelta

import pytest
from django.utils import timezone

from tests.training.conftest import TODAY, record_session
from training import reminders, services
from training.models import Certificate
from training.services import AttendeeRecord
from training.tasks import send_certificate_reminders


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
    valid_until = {
        "Lapsing Soon": TODAY + timedelta(days=20),
        "No Email": TODAY + timedelta(days=20),
        "Lapsing Later": TODAY + timedelta(days=90),
        "Already Lapsed": TODAY - timedelta(days=1),
    }
    for name, day in valid_until.items():
        Certificate.objects.filter(attendee__name=name).update(valid_until=day)
    return Certificate.objects.get(attendee__name="Lapsing Soon")


@pytest.mark.django_db
def test_reminder_goes_once_to_each_attendee_whose_certificate_lapses_within_30_days(
    lapsing_certificates, mailoutbox
):
    assert send_certificate_reminders.delay().get() == 1
    assert send_certificate_reminders.delay().get() == 0

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
def test_a_certificate_already_marked_is_not_reminded_again(lapsing_certificates, mailoutbox):
    Certificate.objects.filter(pk=lapsing_certificates.pk).update(reminder_sent_at=timezone.now())

    assert reminders.send_reminder(lapsing_certificates.pk) == 0
    assert reminders.send_certificate_reminders() == 0
    assert mailoutbox == []


@pytest.mark.worker
def test_real_worker_sends_the_certificate_reminders(celery_worker_process, lapsing_certificates):
    result = send_certificate_reminders.delay()

    assert result.get(timeout=30) == 1
    sent = list(celery_worker_process.email_dir.iterdir())
    assert len(sent) == 1
    assert "soon@example.org" in sent[0].read_text()
    lapsing_certificates.refresh_from_db()
    assert lapsing_certificates.reminder_sent_at is not None
