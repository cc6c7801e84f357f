from celery import shared_task

from referrals import reminders


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def send_follow_up_digests() -> int:
    """Daily: each worker gets one email listing their overdue referral follow-ups."""
    return reminders.send_follow_up_digests()
