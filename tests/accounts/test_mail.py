"""Email goes out one recipient at a time, never inside a transaction, marked after it went."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
import time_machine
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.mail import send_once, send_outside_transaction
from referrals.models import FollowUpDigest

pytestmark = pytest.mark.django_db


def hello(address: str) -> EmailMessage:
    return EmailMessage(subject="Hello", body="Hello", to=[address])


def test_mail_is_refused_inside_a_transaction(outreach_a, mailoutbox):
    key = {"program": outreach_a.program, "user": outreach_a, "day": outreach_a.program.today()}

    with transaction.atomic():
        with pytest.raises(RuntimeError):
            send_outside_transaction(hello(outreach_a.email))
        with pytest.raises(RuntimeError):
            send_once(marker=FollowUpDigest, compose=lambda: hello(outreach_a.email), **key)

    assert mailoutbox == []
    assert not FollowUpDigest.objects.exists()


def test_the_marker_is_written_only_once_the_mail_server_took_the_email(
    outreach_a, refusing_mail_server, mailoutbox
):
    key = {"program": outreach_a.program, "user": outreach_a, "day": outreach_a.program.today()}
    refusing_mail_server.refuse(outreach_a.email, times=1)

    with pytest.raises(OSError):
        send_once(marker=FollowUpDigest, compose=lambda: hello(outreach_a.email), **key)
    assert not FollowUpDigest.objects.exists()

    assert send_once(marker=FollowUpDigest, compose=lambda: hello(outreach_a.email), **key)
    assert not send_once(marker=FollowUpDigest, compose=lambda: hello(outreach_a.email), **key)

    assert [email.to for email in mailoutbox] == [[outreach_a.email]]
    assert FollowUpDigest.objects.filter(**key).count() == 1


def test_nothing_to_send_writes_no_marker(outreach_a, mailoutbox):
    key = {"program": outreach_a.program, "user": outreach_a, "day": outreach_a.program.today()}

    assert not send_once(marker=FollowUpDigest, compose=lambda: None, **key)

    assert mailoutbox == []
    assert not FollowUpDigest.objects.exists()


def test_a_refused_recipient_does_not_mark_the_mail_server_down(
    client, outreach_a, manager_a, refusing_mail_server, mailoutbox
):
    key = {"program": outreach_a.program, "user": outreach_a, "day": outreach_a.program.today()}
    refusing_mail_server.refuse_recipient(outreach_a.email)

    with pytest.raises(SMTPRecipientsRefused):
        send_once(marker=FollowUpDigest, compose=lambda: hello(outreach_a.email), **key)

    assert not FollowUpDigest.objects.exists()
    assert client.get("/healthz").json()["mail"] == "up"
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        client.force_login(manager_a)
        assert 'data-outage="mail"' not in client.get(reverse("home")).text
