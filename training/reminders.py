"""Renewal reminders: one email to each attendee whose certificate lapses within 30 days.

The beat queues one task per program (`queue_certificate_reminders`), which queues one task
per certificate (`send_certificate_reminder`); each email is sent after commit, outside any
transaction, and the certificate is marked reminded only once the mail server took it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.mail import send_outside_transaction
from accounts.models import Program
from training.models import Certificate

REMINDER_DAYS_BEFORE = 30


def certificates_to_remind(program: Program) -> QuerySet[Certificate]:
    """Certificates of the program lapsing within 30 days of its today, not yet reminded,
    whose attendee gave an email address."""
    today = program.today()
    return (
        Certificate.objects.filter(
            attendee__session__program=program,
            reminder_sent_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
        )
        .exclude(attendee__email="")
        .order_by("valid_until", "pk")
    )


def queue_certificate_reminders(*, program_id: int) -> int:
    """Queue, after commit, one reminder task per certificate of the program to remind;
    returns how many. Run again, it queues only those not yet reminded."""
    program = Program.objects.get(pk=program_id)
    certificate_ids = list(certificates_to_remind(program).values_list("pk", flat=True))
    for certificate_id in certificate_ids:
        _queue_reminder(certificate_id)
    return len(certificate_ids)


def _queue_reminder(certificate_id: int) -> None:
    from training.tasks import send_certificate_reminder

    outbox.queue_after_commit(send_certificate_reminder, certificate_id)


def send_certificate_reminder(certificate_id: int) -> bool:
    """Email the attendee that their certificate lapses soon, then mark it reminded; returns
    whether this call sent. Raises what the mail server raises, leaving it unmarked.

    A certificate already marked sends nothing: a retry after the send, or a second delivery
    of the task, finds the mark.
    """
    certificate = (
        Certificate.objects.filter(pk=certificate_id, reminder_sent_at__isnull=True)
        .exclude(attendee__email="")
        .select_related("attendee__session__program")
        .first()
    )
    if certificate is None:
        return False
    attendee = certificate.attendee
    session = attendee.session
    # Attendees have no account and so no language of their own.
    with translation.override(settings.LANGUAGE_CODE):
        message = EmailMessage(
            subject=_("Your %(kind)s certificate lapses on %(date)s")
            % {
                "kind": session.get_kind_display(),
                "date": formats.date_format(certificate.valid_until, "DATE_FORMAT"),
            },
            body=render_to_string(
                "training/certificate_reminder.txt",
                {
                    "attendee": attendee,
                    "session": session,
                    "certificate": certificate,
                    "program": session.program,
                },
            ),
            to=[attendee.email],
        )
    send_outside_transaction(message)
    Certificate.objects.filter(pk=certificate_id, reminder_sent_at__isnull=True).update(
        reminder_sent_at=timezone.now()
    )
    return True
