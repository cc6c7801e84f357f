"""Daily alerts for managers: low stock, naloxone about to expire and refused code look-ups.

The beat queues one task per program (`queue_stock_alert_digests`), which queues one task per
manager (`send_stock_alert_digest`); each manager's email is sent after commit, outside any
transaction, and marked sent only once the mail server took it (accounts.mail.send_once), so
a mail server failing for one manager never sends the digest twice to another.
"""

from datetime import date

from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from accounts import outbox
from accounts.mail import send_once
from accounts.models import Program, User
from security.code_guesses import refused_lately
from supplies.models import StockAlertDigest
from supplies.selectors import expiring_naloxone, low_stock


def has_stock_alerts(program: Program, *, day: date) -> bool:
    """Whether anything needs the managers' attention on `day`: stock, or people whose code
    look-ups were refused (someone may be guessing codes)."""
    expiring = expiring_naloxone(program, today=day)
    return bool(low_stock(program.pk)) or expiring.exists() or refused_lately(program.pk).exists()


def managers_owed_a_digest(*, program: Program, day: date) -> QuerySet[User]:
    """Active managers of the program with an email address who have not had `day`'s digest."""
    return (
        User.objects.filter(program=program, role=User.Role.MANAGER, is_active=True)
        .exclude(email="")
        .exclude(
            pk__in=StockAlertDigest.objects.filter(program=program, day=day).values("recipient_id")
        )
        .order_by("pk")
    )


def queue_stock_alert_digests(*, program_id: int) -> int:
    """Queue, after commit, one digest task per manager owed today's digest (the program's
    today), if anything needs attention; returns how many. Run again the same day, it queues
    only those not yet sent."""
    program = Program.objects.get(pk=program_id)
    day = program.today()
    if not has_stock_alerts(program, day=day):
        return 0
    manager_ids = list(
        managers_owed_a_digest(program=program, day=day).values_list("pk", flat=True)
    )
    for manager_id in manager_ids:
        _queue_digest(program_id=program.pk, manager_id=manager_id, day=day)
    return len(manager_ids)


def _queue_digest(*, program_id: int, manager_id: int, day: date) -> None:
    from supplies.tasks import send_stock_alert_digest

    outbox.queue_after_commit(send_stock_alert_digest, program_id, manager_id, day.isoformat())


def send_stock_alert_digest(*, program_id: int, manager_id: int, day: date) -> bool:
    """Email one manager the program's stock alerts for `day`, unless already sent; returns
    whether this call sent. Raises what the mail server raises."""
    manager = User.objects.filter(
        pk=manager_id, program_id=program_id, role=User.Role.MANAGER, is_active=True
    ).first()
    if manager is None or not manager.email:
        return False
    program = manager.program

    def compose() -> EmailMessage | None:
        low = low_stock(program.pk)
        expiring = list(expiring_naloxone(program, today=day))
        refused = list(refused_lately(program.pk))
        if not (low or expiring or refused):
            return None  # restocked since the digest was queued
        with translation.override(manager.language):
            return EmailMessage(
                subject=_("Daily alerts for %(program)s") % {"program": program},
                body=render_to_string(
                    "supplies/stock_alert_digest.txt",
                    {
                        "program": program,
                        "low_stock": low,
                        "expiring": expiring,
                        "code_guesses_refused": refused,
                    },
                ),
                to=[manager.email],
            )

    return send_once(
        marker=StockAlertDigest, compose=compose, program=program, recipient=manager, day=day
    )
