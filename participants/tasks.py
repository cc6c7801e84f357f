from celery import shared_task
from django.db import OperationalError

from participants import retention


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def anonymise_inactive_participants() -> int:
    """Daily: anonymise participants not seen for the retention period; returns how many.

    Safe to run twice: the second run finds nobody left (only its audit entry is written).
    """
    return sum(retention.anonymise_inactive_participants().values())
