"""The outbox: work decided while the broker is down is kept and handed over once it is back;
the managers' banner says when the worker or mail has been down for a few minutes."""

import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import outbox, service_status
from accounts.models import QueuedTask, ServiceStatus
from community_log.services import record_complaint
from community_log.tasks import queue_state_report_reminders, send_state_report_reminder
from hrprogram.celery import app as celery_app
from reports.tasks import build_report_run
from tests.resilience.conftest import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def real_broker():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


def test_work_decided_while_the_broker_is_down_waits_and_is_handed_over_once(
    real_broker, broker_on, own_redis
):
    broker_on(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    started = time.monotonic()

    with transaction.atomic():
        queued = outbox.queue_after_commit(build_report_run, 12345)

    assert time.monotonic() - started < 10
    queued.refresh_from_db()
    assert queued.published_at is None
    assert queued.attempts == 1

    broker_on(own_redis.url)
    assert outbox.publish_waiting(grace=timedelta(0)) == 1
    assert outbox.publish_waiting(grace=timedelta(0)) == 0

    queued.refresh_from_db()
    assert queued.published_at is not None
    assert redis.Redis.from_url(own_redis.url).llen("celery") == 1


def test_a_state_report_reminder_decided_while_the_broker_is_down_goes_out_once_it_is_back(
    real_broker, broker_on, own_redis, outreach_a, manager_a, program_a, mailoutbox
):
    record_complaint(
        by=outreach_a,
        received_at=timezone.now() - timedelta(hours=80),
        source_kind="business",
        place="Corner of 5th and Main",
        what="Syringes near the shop door",
    )
    broker_on(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    with transaction.atomic():
        assert queue_state_report_reminders(program_a.pk) == 1

    waiting = QueuedTask.objects.get(published_at__isnull=True)
    assert waiting.task_name == "community_log.tasks.send_state_report_reminder"

    broker_on(own_redis.url)
    assert outbox.publish_waiting(grace=timedelta(0)) == 1
    assert outbox.publish_waiting(grace=timedelta(0)) == 0
    assert redis.Redis.from_url(own_redis.url).llen("celery") == 1

    # The worker runs what it was handed (twice, as after a redelivery): one email.
    send_state_report_reminder.apply(args=waiting.args)
    send_state_report_reminder.apply(args=waiting.args)
    assert [message.to for message in mailoutbox] == [[manager_a.email]]


def test_work_of_a_transaction_that_rolled_back_is_never_handed_over(real_broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.queue_after_commit(build_report_run, 12345)
        raise RuntimeError("the change failed")

    assert not QueuedTask.objects.exists()


def test_managers_see_a_banner_once_the_worker_has_been_silent_for_minutes(client, manager_a):
    client.force_login(manager_a)
    service_status.record_ok(service_status.Part.WORKER)
    assert 'data-outage="worker"' not in client.get(reverse("home")).text

    ServiceStatus.objects.filter(part="worker").update(
        last_ok_at=timezone.now() - timedelta(minutes=6)
    )

    assert 'data-outage="worker"' in client.get(reverse("home")).text


def test_the_mail_banner_shows_only_after_five_minutes_of_failures(client, manager_a):
    client.force_login(manager_a)
    failed_at = timezone.now()
    service_status.record_failure(service_status.Part.MAIL, ConnectionRefusedError())

    with time_machine.travel(failed_at + timedelta(minutes=4, seconds=50), tick=False):
        service_status.record_failure(service_status.Part.MAIL, ConnectionRefusedError())
        assert 'data-outage="mail"' not in client.get(reverse("home")).text
    with time_machine.travel(failed_at + timedelta(minutes=5, seconds=10), tick=False):
        assert 'data-outage="mail"' in client.get(reverse("home")).text
        # An email goes through: the banner goes.
        service_status.record_ok(service_status.Part.MAIL)
        assert 'data-outage="mail"' not in client.get(reverse("home")).text


def test_the_worker_banner_shows_once_work_has_waited_for_the_broker_five_minutes(
    client, manager_a
):
    client.force_login(manager_a)
    service_status.record_ok(service_status.Part.WORKER)
    queued = QueuedTask.objects.create(task_name=build_report_run.name, args=[12345])

    with time_machine.travel(queued.created_at + timedelta(minutes=4, seconds=50), tick=False):
        service_status.record_ok(service_status.Part.WORKER)  # the worker runs; Redis is down
        assert 'data-outage="worker"' not in client.get(reverse("home")).text
    with time_machine.travel(queued.created_at + timedelta(minutes=5, seconds=10), tick=False):
        service_status.record_ok(service_status.Part.WORKER)
        assert 'data-outage="worker"' in client.get(reverse("home")).text
        # The broker is back and the row is handed over: the banner goes.
        QueuedTask.objects.filter(pk=queued.pk).update(published_at=timezone.now())
        assert 'data-outage="worker"' not in client.get(reverse("home")).text


def test_outreach_workers_see_no_banner(client, outreach_a):
    client.force_login(outreach_a)
    ServiceStatus.objects.create(part="mail", failing_since=timezone.now() - timedelta(minutes=30))

    assert "data-outage" not in client.get(reverse("home")).text
