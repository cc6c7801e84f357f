from datetime import date

from celery import shared_task

from accounts.daily_jobs import queue_daily_for_each_program
from accounts.mail import MAIL_TASK_OPTIONS
from supplies import alerts


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_stock_alert_digests(program_ids: list[int] | None = None) -> int:
    """Daily: one task per program, which queues the digest to each of its managers.

    Once a program-date; the outbox sweep sends it again for the programs the beat missed.
    """
    return queue_daily_for_each_program(
        queue_stock_alert_digests, job=send_stock_alert_digests.name, program_ids=program_ids
    )


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def queue_stock_alert_digests(program_id: int) -> int:
    """One task per manager owed today's digest; safe to run twice (queues only the unsent)."""
    return alerts.queue_stock_alert_digests(program_id=program_id)


@shared_task(**MAIL_TASK_OPTIONS)
def send_stock_alert_digest(program_id: int, manager_id: int, day: str) -> bool:
    """One manager's digest for one program-date; safe to run twice (sends once)."""
    return alerts.send_stock_alert_digest(
        program_id=program_id, manager_id=manager_id, day=date.fromisoformat(day)
    )
