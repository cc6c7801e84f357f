"""The daily reminder of complaints still to report to the state: one email per manager and
program day, listing every unreported complaint and which are past their 72 hours.

Kept apart from the other digests on purpose (they are being reworked): the beat queues one
task per manager, the task sends through `send_reminder`, which writes its marker after the
mail server took the message, so a retry after a failure sends again and a second run the same
day sends nothing.
"""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.models import User
from community_log.models import Complaint, StateReportReminder
from community_log.selectors import complaints_to_report


def managers_to_remind() -> list[int]:
    """Active managers with an email whose program has a complaint still to report."""
    unreported = Complaint.objects.filter(reported_to_state_at__isnull=True).values("program_id")
    return list(
        User.objects.filter(role=User.Role.MANAGER, is_active=True, program_id__in=unreported)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send_reminder(manager_id: int) -> bool:
    """Email the manager the complaints still to report, once a program day; whether it sent."""
    manager = User.objects.select_related("program").filter(pk=manager_id, is_active=True).first()
    if manager is None or not manager.is_manager or not manager.email:
        return False
    program = manager.program
    today = program.today()
    if StateReportReminder.objects.filter(user=manager, day=today).exists():
        return False
    complaints = list(complaints_to_report(program))
    if not complaints:
        return False
    now = timezone.now()
    rows = [
        {"complaint": complaint, "overdue": complaint.is_overdue(now)} for complaint in complaints
    ]
    overdue = sum(1 for row in rows if row["overdue"])
    with translation.override(manager.language), timezone.override(program.tzinfo):
        send_mail(
            subject=ngettext(
                "%(count)d complaint to report to the state",
                "%(count)d complaints to report to the state",
                len(rows),
            )
            % {"count": len(rows)},
            message=render_to_string(
                "community_log/state_report_reminder.txt",
                {"manager": manager, "program": program, "rows": rows, "overdue": overdue},
            ),
            from_email=None,
            recipient_list=[manager.email],
        )
    StateReportReminder.objects.get_or_create(user=manager, day=today)
    return True
