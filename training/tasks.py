from celery import shared_task

from training import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_certificate_reminders() -> int:
    """Daily: email attendees whose certificate lapses within 30 days, once per certificate."""
    return reminders.send_certificate_reminders()
