from datetime import date

from celery import shared_task

from accounts.mail import MAIL_TASK_OPTIONS
from accounts.tasks import queue_for_each_program
from referrals import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_follow_up_digests() -> int:
    """Daily: one task per program, which queues each overdue worker's digest."""
    return queue_for_each_program(queue_follow_up_digests)


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
