from datetime import date

from celery import shared_task

from accounts.daily_jobs import queue_daily_for_each_program
from accounts.mail import MAIL_TASK_OPTIONS
from community_log import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_state_report_reminders(program_ids: list[int] | None = None) -> int:
    """Daily: one task per program, which queues the reminder to each of its managers.

    Once a program-date; the outbox sweep sends it again for the programs the beat missed.
    """
    return queue_daily_for_each_program(
        queue_state_report_reminders, job=send_state_report_reminders.name, program_ids=program_ids
    )


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def queue_state_report_reminders(program_id: int) -> int:
    """One task per manager owed today's reminder; safe to run twice (queues only the unsent)."""
    return reminders.queue_state_report_reminders(program_id=program_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_state_report_reminder(manager_id: int, day: str) -> bool:
    """One manager's reminder for one program-date; safe to run twice (sends once)."""
    return reminders.send_state_report_reminder(manager_id=manager_id, day=date.fromisoformat(day))
