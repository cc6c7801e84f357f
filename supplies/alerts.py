"""Stock alerts: low levels and naloxone about to expire, in one daily digest for managers."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Program, User
from hrprogram.digests import send_once
from supplies.models import StockAlertDigest
from supplies.selectors import expiring_naloxone, low_stock


def send_stock_alert_digests() -> int:
    """Send each program's digest once a day; returns how many emails went out."""
    sent = 0
    for program in Program.objects.all():
        sent += send_program_digest(program)
    return sent


def send_program_digest(program: Program) -> int:
    day = timezone.localtime(timezone=program.tzinfo).date()
    low = low_stock(program.pk)
    expiring = list(expiring_naloxone(program))
    managers = list(
        User.objects.filter(program=program, role=User.Role.MANAGER, is_active=True).exclude(
            email=""
        )
    )
    if not (low or expiring) or not managers:
        return 0

    def send() -> None:
        for manager in managers:
            with translation.override(manager.language):
                send_mail(
                    subject=_("Stock alerts for %(program)s") % {"program": program},
                    message=render_to_string(
                        "supplies/stock_alert_digest.txt",
                        {"program": program, "low_stock": low, "expiring": expiring},
                    ),
                    from_email=None,
                    recipient_list=[manager.email],
                )

    sent = send_once(marker=StockAlertDigest, send=send, program=program, day=day)
    return len(managers) if sent else 0
