from datetime import date

from celery import shared_task

from accounts.daily_jobs import queue_daily_for_each_program
from accounts.mail import MAIL_TASK_OPTIONS
from referrals import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_follow_up_digests(program_ids: list[int] | None = None) -> int:
    """Daily: one task per program, which queues each overdue worker's digest.

    Once a program-date; the outbox sweep sends it again for the programs the beat missed.
    """
    return queue_daily_for_each_program(
        queue_follow_up_digests, job=send_follow_up_digests.name, program_ids=program_ids
    )


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def queue_follow_up_digests(program_id: int) -> int:
    """One task per worker owed today's digest; safe to run twice (queues only the unsent)."""
    return reminders.queue_follow_up_digests(program_id=program_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_follow_up_digest(program_id: int, worker_id: int, day: str) -> bool:
    """One worker's digest for one program-date; safe to run twice (sends once)."""
    return reminders.send_follow_up_digest(
        program_id=program_id, worker_id=worker_id, day=date.fromisoformat(day)
    )
