"""Redis was down when the beat was due to send a daily job (beat drops that send): the outbox
sweep, once Redis and the worker are back, runs the job for the programs it missed, once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import DailyJobRun, QueuedTask
from accounts.tasks import publish_waiting_tasks
from hrprogram.celery import publish_what_waited_for_the_worker
from referrals.models import FollowUpDigest
from referrals.tasks import send_follow_up_digests
from tests.factories import (
    LocationFactory,
    ParticipantFactory,
    ProgramFactory,
    UserFactory,
    overdue_referral,
)

pytestmark = pytest.mark.django_db

# The follow-up digests are due at 07:15 in CELERY_TIMEZONE (UTC in the tests): 03:15 on
# 10 March in New York (the test programs' zone), still 9 March (21:15) in Honolulu.
DIGESTS_DUE = datetime(2026, 3, 10, 7, 15, tzinfo=UTC)
# 08:20 in New York on 10 March: Redis is back, and the beat's send of 07:15 UTC was lost.
REDIS_BACK = datetime(2026, 3, 10, 12, 20, tzinfo=UTC)


def overdue_follow_up(worker) -> None:
    overdue_referral(days=2, by=worker, participant=ParticipantFactory(program=worker.program))


@pytest.fixture
def overdue_worker(outreach_a):
    overdue_follow_up(outreach_a)
    return outreach_a


def digests_to(mailoutbox, worker) -> int:
    return sum(
        1
        for message in mailoutbox
        if worker.email in message.to and "follow-up" in message.subject.lower()
    )


def test_the_sweep_runs_the_digest_the_beat_missed_once(overdue_worker, mailoutbox, run_queued):
    with time_machine.travel(REDIS_BACK, tick=False) as clock:
        assert run_queued(publish_waiting_tasks.delay) == []
        assert digests_to(mailoutbox, overdue_worker) == 1

        # Every minute the sweep runs again; the beat's send, delayed, may still arrive.
        for _minute in range(10):
            clock.shift(timedelta(minutes=1))
            assert run_queued(publish_waiting_tasks.delay) == []
        assert run_queued(send_follow_up_digests.delay) == []

    assert digests_to(mailoutbox, overdue_worker) == 1
    assert FollowUpDigest.objects.count() == 1
    assert QueuedTask.objects.filter(task_name=send_follow_up_digests.name).count() == 1


def test_the_sweep_leaves_a_job_the_beat_sent_alone(overdue_worker, mailoutbox, run_queued):
    with time_machine.travel(DIGESTS_DUE, tick=False) as clock:
        assert run_queued(send_follow_up_digests.delay) == []
        clock.move_to(REDIS_BACK)
        assert run_queued(publish_waiting_tasks.delay) == []

    assert digests_to(mailoutbox, overdue_worker) == 1
    assert not QueuedTask.objects.filter(task_name=send_follow_up_digests.name).exists()


def test_a_worker_that_starts_catches_up_too(overdue_worker, mailoutbox, run_queued):
    with time_machine.travel(REDIS_BACK, tick=False):
        assert run_queued(publish_what_waited_for_the_worker) == []

    assert digests_to(mailoutbox, overdue_worker) == 1


def test_nothing_is_caught_up_before_the_jobs_time_or_for_a_day_that_has_ended(
    overdue_worker, mailoutbox, run_queued
):
    # 02:10 on 10 March in New York: the digests were last due at 07:15 UTC on 9 March, the
    # program's 9 March, which has ended.
    with time_machine.travel(datetime(2026, 3, 10, 7, 10, tzinfo=UTC), tick=False):
        assert run_queued(publish_waiting_tasks.delay) == []
    # 03:17 on 10 March in New York, two minutes after the time: the beat's send may be on its
    # way to the worker still.
    with time_machine.travel(DIGESTS_DUE + timedelta(minutes=2), tick=False):
        assert run_queued(publish_waiting_tasks.delay) == []

    assert digests_to(mailoutbox, overdue_worker) == 0
    assert not DailyJobRun.objects.filter(job=send_follow_up_digests.name).exists()


def test_only_programs_still_on_the_date_of_the_jobs_time_are_caught_up(
    overdue_worker, mailoutbox, run_queued
):
    honolulu = ProgramFactory(name="Program H", timezone="Pacific/Honolulu")
    site = LocationFactory(program=honolulu, name="H Drop-in")
    worker_h = UserFactory(username="outreach_h", program=honolulu, locations=[site])
    with time_machine.travel(DIGESTS_DUE - timedelta(hours=1), tick=False):
        overdue_follow_up(worker_h)

    # 02:20 on 10 March in Honolulu: the job's time (21:15 on 9 March there) was on a day that
    # has ended, so its program waits for the next day's run.
    with time_machine.travel(REDIS_BACK, tick=False):
        assert run_queued(publish_waiting_tasks.delay) == []

    assert digests_to(mailoutbox, overdue_worker) == 1
    assert digests_to(mailoutbox, worker_h) == 0
    assert not DailyJobRun.objects.filter(program=honolulu).exists()
