"""The daily digest of overdue follow-ups: one email per worker and program-date, after commit."""

import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.db import transaction

from accounts.models import User
from referrals import reminders, services
from referrals.models import FollowUpDigest
from referrals.tasks import queue_follow_up_digests, send_follow_up_digests
from tests.factories import ParticipantFactory, UserFactory, overdue_referral
from tests.mail import LaterStepFailed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("program_evening")]


@pytest.fixture
def participant_a(program_a):
    return ParticipantFactory(program=program_a, alias="Sunny")


@pytest.fixture
def overdue_referrals(outreach_a, manager_a, participant_a):
    """Two overdue follow-ups of outreach A, one of manager A, one not yet due."""
    outreach_a.email = "outreach_a@example.org"
    outreach_a.save()
    manager_a.email = "manager_a@example.org"
    manager_a.save()
    for kind in ("housing", "food"):
        overdue_referral(days=1, by=outreach_a, participant=participant_a, kind=kind)
    overdue_referral(days=1, by=manager_a, participant=participant_a, kind="legal")
    services.make_referral(
        by=outreach_a,
        participant=participant_a,
        kind="clothing",
        follow_up_due=outreach_a.program.today() + timedelta(days=3),
    )


@pytest.fixture
def three_overdue_workers(overdue_referrals, program_a, site_a, participant_a):
    """Outreach A, manager A and a second outreach worker of program A, in that order (by id),
    each with an overdue follow-up."""
    second = UserFactory(
        username="outreach_a2", role=User.Role.OUTREACH, program=program_a, locations=[site_a]
    )
    overdue_referral(days=2, by=second, participant=participant_a, kind="food")
    return ["outreach_a@example.org", "manager_a@example.org", "outreach_a2@example.org"]


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


def test_digest_sends_one_email_per_worker_once_a_day(overdue_referrals, mailoutbox, run_queued):
    assert run_queued(send_follow_up_digests.delay) == []
    assert run_queued(send_follow_up_digests.delay) == []

    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert len(mailoutbox) == 2
    assert set(by_recipient) == {"outreach_a@example.org", "manager_a@example.org"}
    outreach_mail = by_recipient["outreach_a@example.org"]
    assert "2 referral follow-ups are overdue" in outreach_mail.subject
    assert "Housing" in outreach_mail.body
    assert "Food" in outreach_mail.body
    assert "Clothing" not in outreach_mail.body
    assert "Legal" not in outreach_mail.body


def test_the_beat_queues_one_task_per_program(
    overdue_referrals, program_a, program_b, monkeypatch, run_queued, mailoutbox
):
    queued = []
    monkeypatch.setattr(
        queue_follow_up_digests, "apply_async", lambda args, **options: queued.extend(args)
    )

    assert run_queued(send_follow_up_digests.delay) == []

    assert sorted(queued) == sorted([program_a.pk, program_b.pk])
    assert mailoutbox == []  # the program tasks queue the emails, one per worker


def test_a_program_task_queues_one_email_task_per_overdue_worker(
    overdue_referrals, program_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        assert queue_follow_up_digests.delay(program_a.pk).get() == 2

    assert len(queued) == 2
    assert mailoutbox == []


def test_a_mail_server_failing_for_one_worker_sends_the_others_theirs_once(
    three_overdue_workers, refusing_mail_server, mailoutbox, run_queued, program_a
):
    first, failing, third = three_overdue_workers
    refusing_mail_server.refuse(failing, times=100)

    errors = run_queued(send_follow_up_digests.delay)

    assert len(errors) == 1
    assert isinstance(errors[0], SMTPException)
    assert recipients(mailoutbox) == sorted([first, third])
    assert sorted(FollowUpDigest.objects.values_list("user__email", flat=True)) == sorted(
        [first, third]
    )

    # The mail server is back after the last retry. The beat's job ran for the program today,
    # so sending it again does nothing; the program's task, run again, sends what is unsent.
    refusing_mail_server.recover()
    assert run_queued(send_follow_up_digests.delay) == []
    assert recipients(mailoutbox) == sorted([first, third])
    assert run_queued(lambda: queue_follow_up_digests.delay(program_a.pk)) == []

    assert recipients(mailoutbox) == sorted(three_overdue_workers)


def test_a_task_retried_after_a_refusal_resends_to_its_own_worker_only(
    three_overdue_workers, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse(three_overdue_workers[1], times=2)

    assert run_queued(send_follow_up_digests.delay) == []  # its third attempt went through

    assert recipients(mailoutbox) == sorted(three_overdue_workers)
    assert FollowUpDigest.objects.count() == 3


def test_no_digest_goes_out_when_the_transaction_that_queued_it_rolls_back(
    overdue_referrals, program_a, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(LaterStepFailed),
        transaction.atomic(),
    ):
        assert reminders.queue_follow_up_digests(program_id=program_a.pk) == 2
        raise LaterStepFailed

    assert queued == []
    assert mailoutbox == []
    assert not FollowUpDigest.objects.exists()


def test_the_digest_is_for_the_programs_date_not_the_servers(
    overdue_referrals, outreach_a, participant_a, program_a, mailoutbox, run_queued
):
    # Under the program_evening clock it is still 9 March in New York, 10 March in UTC.
    today = program_a.today()
    services.make_referral(
        by=outreach_a, participant=participant_a, kind="medical_care", follow_up_due=today
    )

    assert run_queued(send_follow_up_digests.delay) == []

    outreach_mail = next(m for m in mailoutbox if m.to == ["outreach_a@example.org"])
    assert "Medical care" not in outreach_mail.body  # due today, not overdue
    assert set(FollowUpDigest.objects.values_list("program", "day")) == {(program_a.pk, today)}


def test_a_digest_sent_already_is_not_sent_again(overdue_referrals, outreach_a, mailoutbox):
    day = outreach_a.program.today()
    send = {"program_id": outreach_a.program_id, "worker_id": outreach_a.pk, "day": day}

    assert reminders.send_follow_up_digest(**send) is True
    assert reminders.send_follow_up_digest(**send) is False

    assert len(mailoutbox) == 1


def test_a_worker_of_another_program_gets_no_digest_of_it(
    overdue_referrals, outreach_a, program_a, program_b, mailoutbox, run_queued
):
    User.objects.filter(pk=outreach_a.pk).update(program=program_b)

    assert run_queued(send_follow_up_digests.delay) == []

    assert recipients(mailoutbox) == ["manager_a@example.org"]


@pytest.mark.worker
def test_real_worker_sends_the_digest_once(celery_worker_process, overdue_referrals, program_a):
    assert send_follow_up_digests.delay().get(timeout=30) == 1  # one program

    deadline = time.monotonic() + 30
    while FollowUpDigest.objects.count() < 2:
        assert time.monotonic() < deadline, "the worker did not send two digests in 30 seconds"
        time.sleep(0.3)
    # Run again the same day, the program's task finds both sent and queues nothing.
    assert queue_follow_up_digests.delay(program_a.pk).get(timeout=30) == 0

    sent = sorted(path.read_text() for path in celery_worker_process.email_dir.iterdir())
    assert len(sent) == 2
    assert any("outreach_a@example.org" in mail and "Housing" in mail for mail in sent)
