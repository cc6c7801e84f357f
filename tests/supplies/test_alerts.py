import time
from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.db import transaction

from accounts.models import User
from supplies import alerts, services
from supplies.models import ReorderLevel, StockAlertDigest
from supplies.tasks import queue_stock_alert_digests, send_stock_alert_digests
from tests.conftest import PROGRAM_TODAY
from tests.factories import ItemFactory, UserFactory
from tests.mail import LaterStepFailed

TODAY = PROGRAM_TODAY


@pytest.fixture
def alerting_stock(manager_a, site_a, program_a):
    """Condoms under their reorder level and naloxone expiring in 10 days, at site A."""
    manager_a.email = "manager_a@example.org"
    manager_a.save()
    condoms = ItemFactory(program=program_a, name="Condoms")
    naloxone = ItemFactory(
        program=program_a, name="Naloxone", category="naloxone", tracks_lots=True
    )
    services.receive_shipment(by=manager_a, location=site_a, item=condoms, quantity=5)
    services.receive_shipment(
        by=manager_a,
        location=site_a,
        item=naloxone,
        quantity=4,
        lot_number="NX9",
        expires_on=TODAY + timedelta(days=10),
    )
    ReorderLevel.objects.create(location=site_a, item=condoms, minimum=50)
    return condoms, naloxone


@pytest.fixture
def three_managers(alerting_stock, manager_a, program_a):
    """Manager A and two more managers of program A, in that order (by id)."""
    for username in ("manager_a2", "manager_a3"):
        UserFactory(username=username, role=User.Role.MANAGER, program=program_a)
    return ["manager_a@example.org", "manager_a2@example.org", "manager_a3@example.org"]


def recipients(mailoutbox) -> list[str]:
    return sorted(address for message in mailoutbox for address in message.to)


@pytest.mark.django_db
def test_digest_lists_low_stock_and_expiring_naloxone_once_a_day(
    alerting_stock, mailoutbox, run_queued
):
    assert run_queued(send_stock_alert_digests.delay) == []
    assert run_queued(send_stock_alert_digests.delay) == []

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Condoms at A Drop-in: 5" in body
    assert "NX9" in body
    assert mailoutbox[0].to == ["manager_a@example.org"]


@pytest.mark.django_db
def test_no_digest_when_nothing_needs_attention(
    manager_a, site_a, program_a, mailoutbox, run_queued
):
    condoms = ItemFactory(program=program_a, name="Condoms")
    services.receive_shipment(by=manager_a, location=site_a, item=condoms, quantity=500)
    ReorderLevel.objects.create(location=site_a, item=condoms, minimum=50)

    assert alerts.queue_stock_alert_digests(program_id=program_a.pk) == 0
    assert run_queued(send_stock_alert_digests.delay) == []
    assert mailoutbox == []


@pytest.mark.django_db
def test_the_beat_queues_one_task_per_program(
    alerting_stock, program_a, program_b, monkeypatch, run_queued, mailoutbox
):
    queued = []
    monkeypatch.setattr(
        queue_stock_alert_digests, "apply_async", lambda args, **options: queued.extend(args)
    )

    assert run_queued(send_stock_alert_digests.delay) == []

    assert sorted(queued) == sorted([program_a.pk, program_b.pk])
    assert mailoutbox == []  # the program tasks queue the emails, one per manager


@pytest.mark.django_db
def test_a_mail_server_failing_for_one_manager_sends_the_others_theirs_once(
    three_managers, refusing_mail_server, mailoutbox, run_queued, program_a
):
    first, failing, third = three_managers
    refusing_mail_server.refuse(failing, times=100)

    errors = run_queued(send_stock_alert_digests.delay)

    assert len(errors) == 1
    assert isinstance(errors[0], SMTPException)
    assert recipients(mailoutbox) == sorted([first, third])
    assert sorted(StockAlertDigest.objects.values_list("recipient__email", flat=True)) == sorted(
        [first, third]
    )

    # The mail server is back after the last retry. The beat's job ran for the program today,
    # so sending it again does nothing; the program's task, run again, sends what is unsent.
    refusing_mail_server.recover()
    assert run_queued(send_stock_alert_digests.delay) == []
    assert recipients(mailoutbox) == sorted([first, third])
    assert run_queued(lambda: queue_stock_alert_digests.delay(program_a.pk)) == []

    assert recipients(mailoutbox) == sorted(three_managers)


@pytest.mark.django_db
def test_a_task_retried_after_a_refusal_resends_to_its_own_manager_only(
    three_managers, refusing_mail_server, mailoutbox, run_queued
):
    refusing_mail_server.refuse(three_managers[1], times=2)

    assert run_queued(send_stock_alert_digests.delay) == []  # its third attempt went through

    assert recipients(mailoutbox) == sorted(three_managers)
    assert StockAlertDigest.objects.count() == 3


@pytest.mark.django_db
def test_no_digest_goes_out_when_the_transaction_that_queued_it_rolls_back(
    alerting_stock, program_a, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as queued,
        pytest.raises(LaterStepFailed),
        transaction.atomic(),
    ):
        assert alerts.queue_stock_alert_digests(program_id=program_a.pk) == 1
        raise LaterStepFailed

    assert queued == []
    assert mailoutbox == []
    assert not StockAlertDigest.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("program_evening")
def test_naloxone_expiry_and_the_marker_are_by_the_programs_date(
    manager_a, site_a, program_a, mailoutbox, run_queued
):
    # Under the program_evening clock it is still 9 March in New York, 10 March in UTC: a lot
    # expiring the day after the alert window is outside it by the program's date.
    today = program_a.today()
    naloxone = ItemFactory(
        program=program_a, name="Naloxone", category="naloxone", tracks_lots=True
    )
    for lot_number, days in (("INSIDE", 0), ("OUTSIDE", 1)):
        services.receive_shipment(
            by=manager_a,
            location=site_a,
            item=naloxone,
            quantity=4,
            lot_number=lot_number,
            expires_on=today + timedelta(days=program_a.naloxone_expiry_alert_days + days),
        )

    assert run_queued(send_stock_alert_digests.delay) == []

    [message] = mailoutbox
    assert "INSIDE" in message.body
    assert "OUTSIDE" not in message.body
    assert list(StockAlertDigest.objects.values_list("day", flat=True)) == [today]


@pytest.mark.worker
def test_real_worker_sends_the_digest(celery_worker_process, alerting_stock, program_a):
    assert send_stock_alert_digests.delay().get(timeout=30) == 1  # one program

    deadline = time.monotonic() + 30
    while not StockAlertDigest.objects.exists():
        assert time.monotonic() < deadline, "the worker did not send the digest in 30 seconds"
        time.sleep(0.3)
    sent = list(celery_worker_process.email_dir.iterdir())
    assert len(sent) == 1
    assert "Condoms at A Drop-in: 5" in sent[0].read_text()
