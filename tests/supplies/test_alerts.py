from datetime import timedelta

import pytest

from supplies import alerts, services
from supplies.models import ReorderLevel
from supplies.tasks import send_stock_alert_digests
from tests.conftest import PROGRAM_TODAY
from tests.factories import ItemFactory

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


@pytest.mark.django_db
def test_digest_lists_low_stock_and_expiring_naloxone_once_a_day(alerting_stock, mailoutbox):
    assert alerts.send_stock_alert_digests() == 1
    assert alerts.send_stock_alert_digests() == 0

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Condoms at A Drop-in: 5" in body
    assert "NX9" in body
    assert mailoutbox[0].to == ["manager_a@example.org"]


@pytest.mark.django_db
def test_no_digest_when_nothing_needs_attention(manager_a, site_a, program_a, mailoutbox):
    condoms = ItemFactory(program=program_a, name="Condoms")
    services.receive_shipment(by=manager_a, location=site_a, item=condoms, quantity=500)
    ReorderLevel.objects.create(location=site_a, item=condoms, minimum=50)

    assert alerts.send_stock_alert_digests() == 0
    assert mailoutbox == []


@pytest.mark.worker
def test_real_worker_sends_the_digest(celery_worker_process, alerting_stock):
    result = send_stock_alert_digests.delay()

    assert result.get(timeout=30) == 1
    sent = list(celery_worker_process.email_dir.iterdir())
    assert len(sent) == 1
    assert "Condoms at A Drop-in: 5" in sent[0].read_text()
