from celery import shared_task

from accounts.daily_jobs import queue_daily_for_each_program
from accounts.mail import MAIL_TASK_OPTIONS
from training import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_certificate_reminders(program_ids: list[int] | None = None) -> int:
    """Daily: one task per program, which queues a reminder per certificate lapsing soon.

    Once a program-date; the outbox sweep sends it again for the programs the beat missed.
    """
    return queue_daily_for_each_program(
        queue_certificate_reminders, job=send_certificate_reminders.name, program_ids=program_ids
    )


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def queue_certificate_reminders(program_id: int) -> int:
    """One task per certificate of the program lapsing within 30 days, not yet reminded."""
    return reminders.queue_certificate_reminders(program_id=program_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_certificate_reminder(certificate_id: int) -> bool:
    """One attendee's renewal reminder; safe to run twice (sends once)."""
    return reminders.send_certificate_reminder(certificate_id)
