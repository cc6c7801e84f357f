"""Email to one person at a time, sent after the work that decided it has committed.

Every email of the project goes out the same way: a service decides inside its transaction who
gets what, and queues one Celery task per recipient through the outbox (accounts/outbox.py:
written in its transaction, handed to the broker after commit, or later if it is down); the task
builds that one message and sends it through `send_once`, with no transaction open, then marks
it sent. A mail server failing for one recipient retries that recipient's task only.

It lives in accounts, the bottom app, so that supplies, referrals, training and reports can
all use it without importing anything above them.
"""

from collections.abc import Callable
from smtplib import SMTPException, SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models, transaction

from accounts import service_status

# What a mail task retries on: the mail server refused, dropped or did not answer.
MAIL_SERVER_ERRORS = (SMTPException, ConnectionError, TimeoutError)

# Options of every task that sends one email: retried with backoff for about an hour and a
# half, each wait shorter than the Redis broker's visibility timeout (an hour), which would
# otherwise deliver the waiting task a second time.
MAIL_TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": MAIL_SERVER_ERRORS,
    "retry_backoff": settings.MAIL_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": 30 * 60,
    "max_retries": 8,
}


def check_no_transaction() -> None:
    """Raise RuntimeError if a transaction is open.

    Sending inside one would hold it (and its row locks) open for as long as the mail server
    takes, and would send even if the transaction then rolled back. A durable block refuses
    to nest inside another; the per-test transaction of Django's TestCase is let through.
    """
    with transaction.atomic(durable=True):
        pass


def send_once(
    *, marker: type[models.Model], compose: Callable[[], EmailMessage | None], **key
) -> bool:
    """Send the email `compose` builds unless `marker` has a row for `key`; then write the row.

    The row (unique on `key`) is written only after the mail server took the message: a send
    that fails writes nothing and raises, so the task's retry sends to this recipient again,
    and a retry after success finds the row and sends nothing. A crash in the moment between
    the two may send twice, the lesser harm than never sending. `compose` returning None
    means there is nothing to send (the work was done another way meanwhile). Returns whether
    this call sent.
    """
    check_no_transaction()
    if marker.objects.filter(**key).exists():
        return False
    message = compose()
    if message is None:
        return False
    _send(message)
    # get_or_create: a copy of the task running at the same moment may have written it.
    marker.objects.get_or_create(**key)
    return True


def send_outside_transaction(message: EmailMessage) -> None:
    """Send one email now, refusing to inside a transaction (see `check_no_transaction`)."""
    check_no_transaction()
    _send(message)


def _send(message: EmailMessage) -> None:
    """Send, and record how the mail server fared (the managers' banner, `/healthz`)."""
    try:
        message.send()
    except SMTPRecipientsRefused:
        # The server answered; it refused this one address (unknown, full mailbox): it is up.
        service_status.record_ok(service_status.Part.MAIL)
        raise
    except MAIL_SERVER_ERRORS as error:
        service_status.record_failure(service_status.Part.MAIL, error)
        raise
    service_status.record_ok(service_status.Part.MAIL)
