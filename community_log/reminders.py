"""The daily reminder of complaints still to report to the state: one email per manager and
program day, listing every unreported complaint and which are past their 72 hours, until a
manager marks each reported.

It goes the way every email goes (accounts/mail.py): the beat queues one task per program
(`queue_state_report_reminders`), which queues through the outbox one task per manager owed
the day's reminder (`send_state_report_reminder`); that task sends with no transaction open
and marks the reminder sent only once the mail server took it, so a mail server that is down
delays it (the task retries with backoff) and a second run the same day sends nothing.
"""

from datetime import date

from django.core.mail import EmailMessage
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts import outbox
from accounts.mail import send_once
from accounts.models import Program, User
from community_log.models import StateReportReminder
from community_log.selectors import complaints_to_report


def managers_owed_a_reminder(*, program: Program, day: date) -> QuerySet[User]:
    """Active managers of the program with an email address, if it has a complaint still to
    report, who have not had `day`'s reminder."""
    if not complaints_to_report(program).exists():
        return User.objects.none()
    return (
        User.objects.filter(program=program, role=User.Role.MANAGER, is_active=True)
        .exclude(email="")
        .exclude(pk__in=StateReportReminder.objects.filter(day=day).values("user_id"))
        .order_by("pk")
    )


def queue_state_report_reminders(*, program_id: int) -> int:
    """Queue, after commit, one reminder task per manager owed today's reminder (the program's
    today); returns how many. Run again the same day, it queues only those not yet sent."""
    program = Program.objects.get(pk=program_id)
    day = program.today()
    manager_ids = list(
        managers_owed_a_reminder(program=program, day=day).values_list("pk", flat=True)
    )
    for manager_id in manager_ids:
        _queue_reminder(manager_id=manager_id, day=day)
    return len(manager_ids)


def _queue_reminder(*, manager_id: int, day: date) -> None:
    from community_log.tasks import send_state_report_reminder

    outbox.queue_after_commit(send_state_report_reminder, manager_id, day.isoformat())


def send_state_report_reminder(*, manager_id: int, day: date) -> bool:
    """Email the manager the complaints still to report, unless `day`'s reminder went already;
    returns whether this call sent. Raises what the mail server raises."""
    manager = (
        User.objects.select_related("program")
        .filter(pk=manager_id, role=User.Role.MANAGER, is_active=True)
        .first()
    )
    if manager is None or not manager.email:
        return False
    program = manager.program

    def compose() -> EmailMessage | None:
        complaints = list(complaints_to_report(program))
        if not complaints:
            return None  # all marked reported since the reminder was queued
        now = timezone.now()
        rows = [
            {"complaint": complaint, "overdue": complaint.is_overdue(now)}
            for complaint in complaints
        ]
        overdue = sum(1 for row in rows if row["overdue"])
        with translation.override(manager.language), timezone.override(program.tzinfo):
            return EmailMessage(
                subject=ngettext(
                    "%(count)d complaint to report to the state",
                    "%(count)d complaints to report to the state",
                    len(rows),
                )
                % {"count": len(rows)},
                body=render_to_string(
                    "community_log/state_report_reminder.txt",
                    {"manager": manager, "program": program, "rows": rows, "overdue": overdue},
                ),
                to=[manager.email],
            )

    return send_once(marker=StateReportReminder, compose=compose, user=manager, day=day)
