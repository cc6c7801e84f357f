"""The worker, the broker or the mail server is down: nothing asked for is lost, the request
that asked never fails or hangs, and each piece of work runs once when the part returns."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import QueuedTask, ServiceStatus
from referrals.models import FollowUpDigest
from referrals.tasks import send_follow_up_digests
from reports import periods
from reports.models import ReportReadyEmail, ReportRun
from reports.services import add_ready_definitions
from tests.factories import ParticipantFactory, overdue_referral
from tests.resilience.conftest import SmtpServer, wait_until

pytestmark = pytest.mark.worker


@pytest.fixture
def work_to_do(program_a, manager_a, outreach_a):
    """A report definition of program A, and one overdue follow-up of outreach A."""
    participant = ParticipantFactory(program=program_a, alias="Sunny")
    overdue_referral(days=2, by=outreach_a, participant=participant)
    definition = add_ready_definitions(program=program_a, by=None)[0]
    start, end = periods.previous_complete_period(program_a.today(), periods.MONTHLY)
    return {"definition": definition, "period": {"start": start, "end": end}}


def request_run(client, manager, work) -> tuple:
    client.force_login(manager)
    started = time.monotonic()
    response = client.post(
        reverse("reports:run_request", args=[work["definition"].pk]), work["period"]
    )
    return response, time.monotonic() - started


def mails_to(email_dir, address: str) -> int:
    files = list(email_dir.iterdir()) if email_dir.exists() else []
    return sum(path.read_text().count(f"To: {address}") for path in files)


def test_work_asked_for_while_redis_and_the_worker_are_down_runs_once_when_they_return(
    own_redis, cache_on, broker_on, worker_on, client, manager_a, work_to_do
):
    cache_on(own_redis.url)
    broker_on(own_redis.url)
    worker = worker_on(own_redis.url)
    own_redis.stop()

    response, seconds = request_run(client, manager_a, work_to_do)

    assert response.status_code == 302
    assert seconds < 10
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.QUEUED
    assert QueuedTask.objects.filter(published_at__isnull=True).count() == 1
    two_minutes_ago = timezone.now() - timedelta(minutes=2)
    ReportRun.objects.filter(pk=run.pk).update(created_at=two_minutes_ago)
    QueuedTask.objects.update(created_at=two_minutes_ago)
    assert "Waiting for the worker" in client.get(reverse("reports:run", args=[run.pk])).text
    health = client.get("/healthz").json()
    assert health["checks"]["redis"] == "down"
    assert health["checks"]["celery"] == "down"
    assert {"redis", "celery", "outbox"} <= set(health["degraded"])

    # Redis is back; the beat sends the digests while still no worker runs.
    own_redis.start()
    send_follow_up_digests.apply_async(ignore_result=True)
    worker.start()

    wait_until(
        lambda: ReportReadyEmail.objects.count() == 1 and FollowUpDigest.objects.count() == 1
    )
    time.sleep(3)  # a second run of anything would show by now
    run.refresh_from_db()
    assert run.status == ReportRun.Status.SUCCEEDED
    assert run.attempts == 1
    assert ReportReadyEmail.objects.count() == 1
    assert FollowUpDigest.objects.count() == 1
    assert mails_to(worker.email_dir, "manager_a@example.org") == 1  # report ready
    assert mails_to(worker.email_dir, "outreach_a@example.org") == 1  # digest
    assert not QueuedTask.objects.filter(published_at__isnull=True).exists()
    assert "outbox" not in client.get("/healthz").json()["degraded"]


def test_mail_down_delays_the_digest_and_report_ready_mail_which_go_out_once_when_it_returns(
    worker_on, closed_port, client, manager_a, work_to_do
):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker")
    worker = worker_on(settings.REDIS_URL, smtp_port=closed_port)
    worker.start()

    response, _seconds = request_run(client, manager_a, work_to_do)
    send_follow_up_digests.apply_async(ignore_result=True)

    assert response.status_code == 302
    wait_until(
        lambda: ServiceStatus.objects.filter(part="mail", failing_since__isnull=False).exists(),
        what="a failed send",
    )
    health = client.get("/healthz").json()
    assert health["mail"] == "down"
    assert "mail" in health["degraded"]
    ServiceStatus.objects.filter(part="mail").update(
        failing_since=timezone.now() - timedelta(minutes=10)
    )
    assert 'data-outage="mail"' in client.get(reverse("home")).text

    server = SmtpServer(closed_port)
    server.start()
    try:
        wait_until(lambda: len(server.messages) >= 2, seconds=120, what="mail after it returned")
        time.sleep(3)
    finally:
        server.stop()
    assert sorted(to for to, _subject in server.messages) == [
        "manager_a@example.org",
        "outreach_a@example.org",
    ]
    assert ReportReadyEmail.objects.count() == 1
    assert FollowUpDigest.objects.count() == 1
    assert ReportRun.objects.get().status == ReportRun.Status.SUCCEEDED
    assert client.get("/healthz").json()["mail"] == "up"


def test_healthz_names_the_worker_when_it_stops_while_redis_stays_up(
    own_redis, cache_on, broker_on, worker_on, client
):
    cache_on(own_redis.url)
    broker_on(own_redis.url)
    worker = worker_on(own_redis.url)
    worker.start()
    assert client.get("/healthz").json()["checks"]["celery"] == "up"

    worker.stop()

    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 503
    assert body["checks"] == {"database": "up", "redis": "up", "celery": "down"}
    assert body["degraded"] == ["celery"]
