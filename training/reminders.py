"""Renewal reminders: one email to each attendee whose certificate lapses within 30 days."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Program
from training.models import Certificate

REMINDER_DAYS_BEFORE = 30


def send_certificate_reminders() -> int:
    """Remind each attendee once, 30 days before the certificate lapses; returns emails sent.

    "Today" is each program's own date, so a certificate is due the same day wherever the
    server's clock stands; one query per program that has certificates waiting.
    """
    sent = 0
    programs = Program.objects.filter(
        training_sessions__attendees__certificate__reminder_sent_at__isnull=True
    ).distinct()
    for program in programs:
        today = program.today()
        due = (
            Certificate.objects.filter(
                attendee__session__program=program,
                reminder_sent_at__isnull=True,
                valid_until__gte=today,
                valid_until__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
            )
            .exclude(attendee__email="")
            .order_by("valid_until", "pk")
            .values_list("pk", flat=True)
        )
        sent += sum(send_reminder(certificate_id) for certificate_id in due)
    return sent


def send_reminder(certificate_id: int) -> int:
    """Mark the certificate reminded and send the email, in one transaction.

    The conditional UPDATE comes first: a retry, or a second worker at the same moment,
    finds the mark and sends nothing. If sending fails, the mark is rolled back.
    """
    with transaction.atomic():
        marked = Certificate.objects.filter(
            pk=certificate_id, reminder_sent_at__isnull=True
        ).update(reminder_sent_at=timezone.now())
        if not marked:
            return 0
        certificate = Certificate.objects.select_related("attendee__session__program").get(
            pk=certificate_id
        )
        attendee = certificate.attendee
        session = attendee.session
        # Attendees have no account and so no language of their own.
        with translation.override(settings.LANGUAGE_CODE):
            send_mail(
                subject=_("Your %(kind)s certificate lapses on %(date)s")
                % {
                    "kind": session.get_kind_display(),
                    "date": formats.date_format(certificate.valid_until, "DATE_FORMAT"),
                },
                message=render_to_string(
                    "training/certificate_reminder.txt",
                    {
                        "attendee": attendee,
                        "session": session,
                        "certificate": certificate,
                        "program": session.program,
                    },
                ),
                from_email=None,
                recipient_list=[attendee.email],
            )
    return 1
